#!/usr/bin/env bash
# The official Python Slack SDK against the standalone fake-slack server.
# Run from anywhere: bash testkit/tests/python/run.sh
# Environment: PYTHON (interpreter for the venv, default python3),
# PYTHON_VENV (default target/python-venv, reused when present),
# FAKE_SLACK_BIN (a fake-slack already built, e.g. by `cargo test --workspace`;
# without it the script builds one).
set -euo pipefail
cd "$(dirname "$0")/../../.."

here=testkit/tests/python
venv=${PYTHON_VENV:-target/python-venv}
# Pinned versions known to work with the fake.
requirements=(slack_sdk==3.47.0 websocket-client==1.9.2)

# 1. A virtualenv with the SDK; pip runs only when the pins change.
if [[ ! -x $venv/bin/python ]]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
stamp=$venv/.fake-slack-requirements
if [[ ! -f $stamp || "$(cat "$stamp")" != "${requirements[*]}" ]]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
    echo "${requirements[*]}" >"$stamp"
fi

# 2. The fake, on ports of its own. The binary is started directly rather than
# through `cargo run`, so the start-up wait below never includes a rebuild.
server_bin=${FAKE_SLACK_BIN:-}
if [[ -z $server_bin ]]; then
    server_bin=$(
        cargo build --quiet --locked -p slack-testkit --bin fake-slack --message-format=json-render-diagnostics |
            "$venv/bin/python" -c '
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["target"]["name"] == "fake-slack":
        print(msg["executable"])'
    )
fi
if [[ -z $server_bin || ! -x $server_bin ]]; then
    echo "no fake-slack executable (FAKE_SLACK_BIN or cargo build): '$server_bin'" >&2
    exit 1
fi

workdir=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$server_bin" --port 0 --rtm-port 0 >"$workdir/stdout" 2>"$workdir/stderr" &
server_pid=$!

# The server prints one JSON line with its URLs once it listens.
line=
for _ in $(seq 1 300); do
    # Only a complete line: the JSON may be read while it is being written.
    if [[ $(wc -l <"$workdir/stdout") -ge 1 ]]; then
        IFS= read -r line <"$workdir/stdout"
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "fake-slack exited before printing its URLs:" >&2
        cat "$workdir/stderr" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z $line ]]; then
    echo "fake-slack printed no URLs within 30s" >&2
    cat "$workdir/stderr" >&2
    exit 1
fi

url() { "$venv/bin/python" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$line" "$1"; }
FAKE_SLACK_API=$(url api)
FAKE_SLACK_RTM=$(url rtm)
FAKE_SLACK_ADMIN=$(url admin)
export FAKE_SLACK_API FAKE_SLACK_RTM FAKE_SLACK_ADMIN
echo "fake-slack: api $FAKE_SLACK_API, rtm $FAKE_SLACK_RTM"

# 3. The tests. Each wait inside has its own deadline; this one bounds the lot.
status=0
timeout 300 "$venv/bin/python" "$here/test_fake_slack.py" || status=$?
if [[ $status -ne 0 ]]; then
    if [[ $status -eq 124 ]]; then
        echo "python-sdk: the tests did not finish within 300s" >&2
    fi
    echo "fake-slack stderr:" >&2
    cat "$workdir/stderr" >&2
fi
exit "$status"

//! The spec's JSON model (see `spec/README.md`) and its parsing.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::Error;

/// A field of an object or response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Block Kit limits, checked before sending: most characters of a
    /// string or text object, and fewest / most items of a list.
    #[serde(default)]
    pub max_length: Option<u32>,
    #[serde(default)]
    pub min_items: Option<u32>,
    #[serde(default)]
    pub max_items: Option<u32>,
}

/// An object type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ObjectDef {
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
}

/// A string enum.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnumDef {
    #[serde(default)]
    pub doc: Option<String>,
    pub values: Vec<String>,
}

/// One variant of a union.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariantDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub doc: Option<String>,
}

/// A shape union (no `tag`) or a tagged union.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnionDef {
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub missing: Option<String>,
    #[serde(default)]
    pub likely: Option<String>,
    pub variants: Vec<VariantDef>,
}

/// The type sections shared by `types.json`, `events.json` and family files.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TypeDefs {
    #[serde(default)]
    pub objects: BTreeMap<String, ObjectDef>,
    #[serde(default)]
    pub enums: BTreeMap<String, EnumDef>,
    #[serde(default)]
    pub unions: BTreeMap<String, UnionDef>,
}

/// `block_kit.json`: the type sections, with a file-level doc.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockKitFile {
    #[serde(default)]
    doc: Option<String>,
    #[serde(default)]
    objects: BTreeMap<String, ObjectDef>,
    #[serde(default)]
    enums: BTreeMap<String, EnumDef>,
    #[serde(default)]
    unions: BTreeMap<String, UnionDef>,
}

impl TypeDefs {
    /// Every defined name with the section it is in (`objects`, ...).
    pub(crate) fn sections(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let objects = self.objects.keys().map(|k| ("objects", k.as_str()));
        let enums = self.enums.keys().map(|k| ("enums", k.as_str()));
        let unions = self.unions.keys().map(|k| ("unions", k.as_str()));
        objects.chain(enums).chain(unions)
    }

    /// Every defined name: objects, enums and unions.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.objects
            .keys()
            .chain(self.enums.keys())
            .chain(self.unions.keys())
            .map(String::as_str)
    }
}

/// A method argument.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArgDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub doc: Option<String>,
}

/// A method's success response.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResponseDef {
    #[serde(default)]
    pub fields: Vec<FieldDef>,
}

/// Deprecation note.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Deprecated {
    #[serde(default)]
    pub replacement: Option<String>,
}

/// Pagination: by cursor (`cursor`, `limit`) or by page number (`page`,
/// `count`, `paging`); [`PaginationDef::style`] checks which.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PaginationDef {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub count: Option<String>,
    /// Dotted path of the response's paging object (`messages.paging`).
    #[serde(default)]
    pub paging: Option<String>,
    /// Dotted path of the items array (`channels`, `messages.matches`).
    pub items: String,
}

/// How a paginated method names its next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageStyle<'a> {
    /// `cursor` argument, next cursor in `response_metadata.next_cursor`.
    Cursor {
        cursor: &'a str,
        limit: Option<&'a str>,
    },
    /// `page` argument, next page while `paging.page < paging.pages`.
    Number {
        page: &'a str,
        count: Option<&'a str>,
        paging: &'a str,
    },
}

impl PaginationDef {
    /// The style, or why the keys mix both.
    pub(crate) fn style(&self) -> Result<PageStyle<'_>, String> {
        match (&self.cursor, &self.page) {
            (Some(cursor), None) => {
                if self.count.is_some() || self.paging.is_some() {
                    return Err("cursor pagination takes `limit`, not `count` or `paging`".into());
                }
                Ok(PageStyle::Cursor {
                    cursor,
                    limit: self.limit.as_deref(),
                })
            }
            (None, Some(page)) => {
                if self.limit.is_some() {
                    return Err("page-number pagination takes `count`, not `limit`".into());
                }
                let paging = self
                    .paging
                    .as_deref()
                    .ok_or("page-number pagination needs `paging`, the response's paging object")?;
                Ok(PageStyle::Number {
                    page,
                    count: self.count.as_deref(),
                    paging,
                })
            }
            _ => Err("pagination needs exactly one of `cursor` and `page`".into()),
        }
    }
}

/// A method's HTTP verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum Http {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
}

/// A kind of token a method accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TokenKind {
    Bot,
    User,
    /// An app-level token (`xapp-`).
    App,
    /// Called without a token (client credentials instead).
    None,
}

impl TokenKind {
    /// As the spec spells it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TokenKind::Bot => "bot",
            TokenKind::User => "user",
            TokenKind::App => "app",
            TokenKind::None => "none",
        }
    }
}

/// The scopes a method needs, per token kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Scopes {
    #[serde(default)]
    pub app: Vec<String>,
    #[serde(default)]
    pub bot: Vec<String>,
    #[serde(default)]
    pub user: Vec<String>,
}

/// A method's rate-limit tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Tier {
    Tier1,
    Tier2,
    Tier3,
    Tier4,
    Special,
}

impl Scopes {
    /// `(token kind, scopes)` pairs, in the spec's key order.
    pub(crate) fn by_kind(&self) -> [(&'static str, &[String]); 3] {
        [("app", &self.app), ("bot", &self.bot), ("user", &self.user)]
    }
}

/// One Web API method.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MethodDef {
    pub name: String,
    /// Rust function name, when the one derived from `name` is taken.
    #[serde(default)]
    pub rust_name: Option<String>,
    #[serde(default)]
    pub doc: Option<String>,
    pub http: Http,
    #[serde(default)]
    pub json_body: bool,
    #[serde(default)]
    pub tokens: Vec<TokenKind>,
    #[serde(default)]
    pub scopes: Scopes,
    #[serde(default)]
    pub tier: Option<Tier>,
    #[serde(default)]
    pub retry_safe: bool,
    #[serde(default)]
    pub deprecated: Option<Deprecated>,
    #[serde(default)]
    pub args: Vec<ArgDef>,
    #[serde(default)]
    pub response: ResponseDef,
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub pagination: Option<PaginationDef>,
}

/// `methods/<family>.json`: a family's own types (the sections of
/// [`TypeDefs`], spelled out because `flatten` would let unknown keys
/// through) and its methods.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyFile {
    family: String,
    #[serde(default)]
    doc: Option<String>,
    #[serde(default)]
    objects: BTreeMap<String, ObjectDef>,
    #[serde(default)]
    enums: BTreeMap<String, EnumDef>,
    #[serde(default)]
    unions: BTreeMap<String, UnionDef>,
    #[serde(default)]
    methods: Vec<MethodDef>,
}

/// A family: its types and methods.
#[derive(Debug, Clone)]
pub(crate) struct FamilyDef {
    pub family: String,
    pub doc: Option<String>,
    pub types: TypeDefs,
    pub methods: Vec<MethodDef>,
}

impl MethodDef {
    /// The handle's function name: `rust_name`, or the one derived from `name`.
    pub(crate) fn rust_fn(&self) -> String {
        self.rust_name
            .clone()
            .unwrap_or_else(|| crate::names::method_fn(&self.name))
    }
}

impl FamilyDef {
    /// Slack's namespace of the family's methods (`slackLists` for the
    /// `slack_lists` family): the first dotted part of its first method's
    /// name, or the family name when it has none. A family is the snake case
    /// of its namespace.
    pub(crate) fn namespace(&self) -> &str {
        self.methods
            .first()
            .and_then(|m| m.name.split('.').next())
            .unwrap_or(&self.family)
    }
}

impl From<FamilyFile> for FamilyDef {
    fn from(f: FamilyFile) -> Self {
        FamilyDef {
            family: f.family,
            doc: f.doc,
            types: TypeDefs {
                objects: f.objects,
                enums: f.enums,
                unions: f.unions,
            },
            methods: f.methods,
        }
    }
}

/// Parses one spec file strictly; an error names the file and the JSON path
/// of what is wrong (`methods[3].paginaton: unknown field ...`).
fn parse<T: serde::de::DeserializeOwned>(path: &str, contents: &str) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(contents);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        if at == "." || at.is_empty() {
            Error::new(format!("spec/{path}: {inner}"))
        } else {
            Error::new(format!("spec/{path}: at `{at}`: {inner}"))
        }
    })
}

/// `common.json`: error codes are either strings or `{ "code": .. }` objects.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommonDef {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum ErrorEntry {
    Code(String),
    Object {
        #[serde(alias = "name")]
        code: String,
    },
}

/// The whole spec, parsed from the contents of `spec/`'s files.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub(crate) common_errors: Vec<String>,
    pub(crate) types: TypeDefs,
    pub(crate) events: TypeDefs,
    /// Block Kit: blocks, elements, views, attachments; sent and received.
    pub(crate) block_kit: TypeDefs,
    /// The module doc of `block_kit`.
    pub(crate) block_kit_doc: Option<String>,
    /// Family files by family name.
    pub(crate) families: BTreeMap<String, FamilyDef>,
}

impl Spec {
    /// Parses the spec from `(path, contents)` pairs, paths relative to
    /// `spec/`: `common.json`, `types.json`, `events.json`, `block_kit.json` and
    /// `methods/<family>.json`. Missing `common`, `types`, `events` or `block_kit` files
    /// count as empty. Any other `.json` path is an error.
    pub fn from_sources<P: AsRef<str>, C: AsRef<str>>(files: &[(P, C)]) -> Result<Spec, Error> {
        let mut spec = Spec::default();
        for (path, contents) in files {
            let path = path.as_ref().replace('\\', "/");
            let contents = contents.as_ref();
            match path.as_str() {
                "common.json" => {
                    let c: CommonDef = parse(&path, contents)?;
                    spec.common_errors = c
                        .errors
                        .into_iter()
                        .map(|e| match e {
                            ErrorEntry::Code(c) | ErrorEntry::Object { code: c } => c,
                        })
                        .collect();
                }
                "types.json" => spec.types = parse(&path, contents)?,
                "events.json" => spec.events = parse(&path, contents)?,
                "block_kit.json" => {
                    let f: BlockKitFile = parse(&path, contents)?;
                    spec.block_kit_doc = f.doc;
                    spec.block_kit = TypeDefs {
                        objects: f.objects,
                        enums: f.enums,
                        unions: f.unions,
                    };
                }
                p if p.starts_with("methods/") && p.ends_with(".json") => {
                    let stem = &p["methods/".len()..p.len() - ".json".len()];
                    let fam: FamilyDef = parse::<FamilyFile>(&path, contents)?.into();
                    if fam.family != stem {
                        return Err(Error::new(format!(
                            "spec/{p}: family is {:?}, expected {stem:?} (the file name)",
                            fam.family
                        )));
                    }
                    if !crate::names::is_ident(stem) || stem.chars().any(|c| c.is_ascii_uppercase())
                    {
                        return Err(Error::new(format!(
                            "spec/{p}: family name must be a lowercase identifier"
                        )));
                    }
                    spec.families.insert(stem.to_owned(), fam);
                }
                p => return Err(Error::new(format!("spec/{p}: not a spec file name"))),
            }
        }
        Ok(spec)
    }

    /// The families (`chat`, `conversations`, ...), sorted. Each is a module
    /// and a Cargo feature of `slack-api`.
    pub fn families(&self) -> impl Iterator<Item = &str> {
        self.families.keys().map(String::as_str)
    }
}

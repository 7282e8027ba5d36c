//! `EventKind`: one impl per variant of the `Event` union, so code generic
//! over an event type (an app's `app.event::<AppMentionEvent>(..)`) can pick
//! its variant out of an `Event` and find where to reply.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Ir, ItemKind, Module, Payload, Type};
use crate::names::ident;
use crate::{Error, doc};

/// The event union whose variants get an impl.
const UNION: &str = "Event";

/// Where-to-reply accessors an impl forwards when the event type has a
/// single field of that name and ID type; the trait's defaults answer `None`.
const LOCATORS: [(&str, &str); 4] = [
    ("channel", "ChannelId"),
    ("thread_ts", "Ts"),
    ("ts", "Ts"),
    ("user", "UserId"),
];

/// `Option<&crate::ids::Id>`, what a locator returns.
fn locator_ret(id: &str) -> TokenStream {
    let id = ident(id);
    quote!(Option<&crate::ids::#id>)
}

/// The `EventKind` trait and its impls, for `events.rs`.
pub(crate) fn event_kinds(ir: &Ir) -> Result<TokenStream, Error> {
    // A spec without events (a test fragment) has nothing to implement.
    let Some(ItemKind::TaggedUnion(union)) = ir
        .items
        .get(&(Module::Events, UNION.to_owned()))
        .map(|i| &i.kind)
    else {
        return Ok(TokenStream::new());
    };
    // `impl Event` gets the locators; a common accessor may not take a name.
    if let Some((name, _)) = LOCATORS
        .iter()
        .find(|(name, _)| union.accessors.contains_key(*name))
    {
        return Err(Error::new(format!(
            "spec/events.json: {UNION}: every variant has `{name}`, which the EventKind locator of that name defines"
        )));
    }
    let mut impls = Vec::new();
    let mut type_arms = Vec::new();
    let mut typed = Vec::new();
    for v in &union.variants {
        // The untagged fallback variant has no `type` to name.
        let Some(tag) = &v.tag else { continue };
        let variant = &v.ident;
        type_arms.push(quote!(Event::#variant(_) => Some(#tag),));
        typed.push(variant);
        let access = ir.accessors_of(&v.ty);
        let mut locators = Vec::new();
        for (name, want) in LOCATORS {
            let Some(a) = access.get(name) else { continue };
            if a.ty != Type::Id(want.to_owned()) {
                continue;
            }
            let m = ident(name);
            let (ret, expr) = (a.returns.tokens(), a.expr());
            locators.push(quote! {
                fn #m(&self) -> #ret {
                    let v = self;
                    #expr
                }
            });
        }
        // The union holds objects boxed and nested unions inline.
        let take = match v.payload {
            Payload::Object { .. } => quote!(e),
            Payload::Union { .. } => quote!(Box::new(e)),
        };
        let ty = Type::Named(v.ty.clone()).absolute();
        impls.push(quote! {
            impl EventKind for #ty {
                const TYPE: &'static str = #tag;
                fn from_event(event: Event) -> Result<Box<Self>, Event> {
                    match event {
                        Event::#variant(e) => Ok(#take),
                        other => Err(other),
                    }
                }
                #(#locators)*
            }
        });
    }
    let locator_fns = LOCATORS.iter().map(|(name, ret)| {
        let m = ident(name);
        let ret = locator_ret(ret);
        let d = doc(&format!(
            "[`EventKind::{name}`] of the event inside, whatever its kind (`None` for kinds this version does not know)."
        ));
        quote! {
            #d
            pub fn #m(&self) -> #ret {
                match self {
                    // Method syntax reaches the impl through the box of an object
                    // and the inherent accessor of a nested union alike.
                    #(Event::#typed(e) => e.#m(),)*
                    _ => None,
                }
            }
        }
    });
    let union_impl = quote! {
        impl Event {
            /// The event's `type` tag (`None` for a reply to an RTM send, which has none).
            pub fn event_type(&self) -> Option<&str> {
                match self {
                    #(#type_arms)*
                    Event::Unknown(v) => v.get("type").and_then(serde_json::Value::as_str),
                    _ => None,
                }
            }
            #(#locator_fns)*
        }
    };
    let trait_doc = doc(
        "An event type of the [`Event`] union: its `type` tag, how to take it out of an `Event`, and where it happened (for replying). Implemented for every typed variant.",
    );
    Ok(quote! {
        #trait_doc
        pub trait EventKind: Sized + Send + Sync + 'static {
            /// The `type` tag Slack sends for this event.
            const TYPE: &'static str;
            /// This event, or the event back when it is another kind.
            fn from_event(event: Event) -> Result<Box<Self>, Event>;
            /// The conversation it happened in, when it names one.
            fn channel(&self) -> Option<&crate::ids::ChannelId> {
                None
            }
            /// The thread it happened in, when it names one.
            fn thread_ts(&self) -> Option<&crate::ids::Ts> {
                None
            }
            /// Its message timestamp, when it has one.
            fn ts(&self) -> Option<&crate::ids::Ts> {
                None
            }
            /// The person it is about or from, when it names one.
            fn user(&self) -> Option<&crate::ids::UserId> {
                None
            }
        }
        #(#impls)*
        #union_impl
    })
}

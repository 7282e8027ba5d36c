//! The intermediate representation: the spec with every name resolved,
//! every type parsed and every check done, made once by [`crate::lower`].
//! Emitters read only this.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::mount::Mount;
use crate::names::ident;
// The spec's closed sets are already what the IR needs.
pub(crate) use crate::spec::{Http, Scopes, Tier, TokenKind};

/// The whole spec, lowered.
#[derive(Debug)]
pub(crate) struct Ir {
    /// Where the generated modules live.
    pub mount: Mount,
    /// Every type of every module, by module then name.
    pub items: BTreeMap<Key, Item>,
    /// The module doc of `block_kit`.
    pub block_kit_doc: Option<String>,
    /// The families, sorted by name.
    pub families: Vec<Family>,
    /// Every error code of the spec, as one enum.
    pub error_code: Enum,
}

impl Ir {
    /// The accessors a type offers: an object's fields, or a tagged
    /// union's common accessors (read through its own methods).
    pub(crate) fn accessors_of(&self, r: &TypeRef) -> BTreeMap<String, Access> {
        match self
            .items
            .get(&(r.module.clone(), r.name.clone()))
            .map(|i| &i.kind)
        {
            Some(ItemKind::Object(o)) => o
                .fields
                .iter()
                .map(|f| (f.ident.to_string(), f.access()))
                .collect(),
            Some(ItemKind::TaggedUnion(u)) => u
                .accessors
                .iter()
                .filter_map(|(k, reads)| Some((k.clone(), reads.first()?.through_method())))
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    /// The items of one module, sorted by name.
    pub(crate) fn items_in<'a>(&'a self, m: &'a Module) -> impl Iterator<Item = &'a Item> + 'a {
        self.items
            .iter()
            .filter(move |(k, _)| k.0 == *m)
            .map(|(_, i)| i)
    }
}

/// Where a definition lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Module {
    Types,
    Events,
    /// `block_kit.json`: the only module whose types are also sent.
    BlockKit,
    Family(String),
}

impl Module {
    /// The module's absolute path under `mount`.
    pub(crate) fn path(&self, mount: &Mount) -> TokenStream {
        let root = mount.path();
        match self {
            Module::Types => quote!(#root::types),
            Module::Events => quote!(#root::events),
            Module::BlockKit => quote!(#root::block_kit),
            Module::Family(f) => {
                let f = ident(f);
                quote!(#root::#f)
            }
        }
    }

    pub(crate) fn spec_file(&self) -> String {
        match self {
            Module::Types => "spec/types.json".into(),
            Module::Events => "spec/events.json".into(),
            Module::BlockKit => "spec/block_kit.json".into(),
            Module::Family(f) => format!("spec/methods/{f}.json"),
        }
    }
}

/// A definition's global key.
pub(crate) type Key = (Module, String);

/// What kind of definition a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefKind {
    Object,
    Enum,
    ShapeUnion,
    TaggedUnion,
}

/// A resolved reference to a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeRef {
    /// Where the generated modules live, for printing absolute paths.
    pub mount: Mount,
    pub module: Module,
    pub name: String,
    pub kind: DefKind,
}

/// A resolved type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Type {
    String,
    /// A string that must never be printed: `crate::Secret`.
    Secret,
    Integer,
    /// Whole seconds since the Unix epoch: `crate::ids::UnixTime`.
    Time,
    /// A length of time in whole seconds: `std::time::Duration`.
    Seconds,
    Number,
    Boolean,
    Json,
    /// A hand-written ID newtype of `crate::ids`.
    Id(String),
    Named(TypeRef),
    List(Box<Type>),
    Map(Box<Type>),
}

impl Type {
    /// The Rust type as written inside module `scope`: names of the same
    /// module bare, others by their absolute path.
    pub(crate) fn in_module(&self, scope: &Module) -> TokenStream {
        self.render(Some(scope))
    }

    /// The Rust type by absolute paths, the same from any module.
    pub(crate) fn absolute(&self) -> TokenStream {
        self.render(None)
    }

    fn render(&self, scope: Option<&Module>) -> TokenStream {
        match self {
            Type::String => quote!(String),
            Type::Secret => quote!(crate::Secret),
            Type::Integer => quote!(i64),
            Type::Time => quote!(crate::ids::UnixTime),
            Type::Seconds => quote!(std::time::Duration),
            Type::Number => quote!(f64),
            Type::Boolean => quote!(bool),
            Type::Json => quote!(serde_json::Value),
            Type::Id(id) => {
                let id = ident(id);
                // `types` re-exports the IDs.
                if scope == Some(&Module::Types) {
                    quote!(#id)
                } else {
                    quote!(crate::ids::#id)
                }
            }
            Type::Named(r) => {
                let n = ident(&r.name);
                if scope == Some(&r.module) {
                    quote!(#n)
                } else {
                    let p = r.module.path(&r.mount);
                    quote!(#p::#n)
                }
            }
            Type::List(t) => {
                let t = t.render(scope);
                quote!(Vec<#t>)
            }
            Type::Map(t) => {
                let t = t.render(scope);
                quote!(std::collections::BTreeMap<String, #t>)
            }
        }
    }

    /// The type inside a list or map, or the type itself.
    pub(crate) fn element(&self) -> &Type {
        match self {
            Type::List(t) | Type::Map(t) => t,
            t => t,
        }
    }

    /// How an argument doc names the type.
    pub(crate) fn text(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Secret => "secret string".into(),
            Type::Integer => "integer".into(),
            Type::Time => "Unix time".into(),
            Type::Seconds => "seconds".into(),
            Type::Number => "number".into(),
            Type::Boolean => "boolean".into(),
            Type::Json => "JSON".into(),
            Type::Id(n) => n.clone(),
            Type::Named(r) => r.name.clone(),
            Type::List(t) => format!("list of {}", t.text()),
            Type::Map(t) => format!("map of {}", t.text()),
        }
    }
}

/// The serde directions a type needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Directions {
    /// Only read: a response or event type.
    Deserialize,
    /// Read and written: a Block Kit type, or a response type one holds.
    Both,
}

/// One generated type.
#[derive(Debug)]
pub(crate) struct Item {
    pub name: String,
    /// Features that reach a `types.json` item; it compiles only with one
    /// of them on. Empty: ungated.
    pub features: BTreeSet<String>,
    pub kind: ItemKind,
}

#[derive(Debug)]
pub(crate) enum ItemKind {
    Object(Object),
    Enum(Enum),
    ShapeUnion(ShapeUnion),
    TaggedUnion(TaggedUnion),
}

/// How a field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Required,
    Optional,
    /// A `Vec`, empty when absent.
    List,
}

/// An object type (also a method's response).
#[derive(Debug)]
pub(crate) struct Object {
    pub name: String,
    pub doc: Option<String>,
    pub fields: Vec<Field>,
    pub directions: Directions,
    /// A Block Kit object's tag, when it is a variant of a union: the key
    /// and the value it writes.
    pub tag: Option<(String, String)>,
    /// A Block Kit object that writes back exactly what it read.
    pub exact: bool,
    /// Some field holds it boxed: it decodes straight into the box.
    pub held_boxed: bool,
    /// The indices of its optional string fields named like the tag of a
    /// tagged union outside Block Kit: set from the tags read when it is
    /// decoded as a variant from the running parser.
    pub tag_slots: Vec<usize>,
}

impl Object {
    /// Whether any field is required in the spec.
    pub(crate) fn has_required(&self) -> bool {
        self.fields.iter().any(|f| f.required)
    }
}

/// A struct field.
#[derive(Debug)]
pub(crate) struct Field {
    /// The JSON key.
    pub json: String,
    pub ident: Ident,
    pub ty: Type,
    pub slot: Slot,
    /// Boxed because the field's type contains its object.
    pub boxed: bool,
    /// `required` as the spec says (a list may be required too).
    pub required: bool,
    pub doc: Option<String>,
    pub limits: Limits,
    /// Holds Block Kit values whose limits are checked too.
    pub checked: bool,
}

/// Block Kit limits of a field.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Limits {
    pub max_length: Option<usize>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
}

impl Field {
    /// The field's Rust type inside module `scope`.
    pub(crate) fn rust_ty(&self, scope: &Module) -> TokenStream {
        let t = self.ty.in_module(scope);
        let t = if self.boxed { quote!(Box<#t>) } else { t };
        match self.slot {
            Slot::Optional => quote!(Option<#t>),
            _ => t,
        }
    }

    /// How a union accessor reads this field.
    pub(crate) fn access(&self) -> Access {
        let shape = match (self.slot, &self.ty) {
            (Slot::List, t) => Returns::Slice(t.element().clone()),
            (_, Type::String) => Returns::Str,
            (_, t) => Returns::Ref(t.clone()),
        };
        Access {
            ident: self.ident.clone(),
            returns: shape,
            read: Read::Field {
                ident: self.ident.clone(),
                slot: self.slot,
                boxed: self.boxed,
            },
            ty: self.ty.clone(),
            doc: self.doc.clone(),
        }
    }
}

/// A string enum.
#[derive(Debug)]
pub(crate) struct Enum {
    pub name: String,
    pub doc: Option<String>,
    /// Each value as Slack spells it, with its variant.
    pub values: Vec<(String, Ident)>,
}

/// A union told apart by JSON shape.
#[derive(Debug)]
pub(crate) struct ShapeUnion {
    pub name: String,
    pub doc: Option<String>,
    /// In the spec's order; each has a different shape.
    pub variants: Vec<ShapeVariant>,
}

/// The JSON kinds a shape union dispatches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shape {
    Str,
    Int,
    Float,
    Bool,
    Seq,
    Map,
}

#[derive(Debug)]
pub(crate) struct ShapeVariant {
    pub ident: Ident,
    /// The type as the spec writes it, for the default doc.
    pub spec_ty: String,
    pub ty: Type,
    pub doc: Option<String>,
    pub shape: Shape,
    /// Held in a `Box` (objects, so the union stays small).
    pub boxed: bool,
    /// A tagged union, whose `Deserialize` takes an opened map.
    pub tagged: bool,
}

/// A union dispatching on a tag field.
#[derive(Debug)]
pub(crate) struct TaggedUnion {
    pub name: String,
    pub doc: Option<String>,
    pub tag: String,
    /// The tag keys one scan reads: its own first, then those of nested
    /// tagged unions, each once.
    pub keys: Vec<String>,
    pub variants: Vec<Variant>,
    /// Accessors every typed variant offers with the same return type:
    /// how each variant (in order) reads it.
    pub accessors: BTreeMap<String, Vec<Access>>,
    /// A Block Kit union: it also serializes and checks limits.
    pub kit: bool,
}

#[derive(Debug)]
pub(crate) struct Variant {
    pub name: String,
    pub ident: Ident,
    /// The tag value it is recognized by.
    pub tag: Option<String>,
    /// Also (or only) recognized by an absent or empty tag: the union's
    /// `missing` variant.
    pub missing: bool,
    pub ty: TypeRef,
    /// The variant's doc, or else its type's.
    pub doc: Option<String>,
    pub payload: Payload,
    /// The variant's object has an optional string field named like the
    /// tag, which a guessed decode is checked by.
    pub guess_field: Option<Ident>,
    /// Tried before the scan (the union's `likely` variant).
    pub likely: bool,
}

/// What a variant holds.
#[derive(Debug)]
pub(crate) enum Payload {
    /// An object, boxed; `exact` when it writes back exactly (Block Kit).
    Object { exact: bool },
    /// A nested tagged union, inline, handed the tags it reads: indexes
    /// into the outer union's `keys`.
    Union { passed: Vec<usize> },
}

/// What a union accessor returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Returns {
    /// `Option<&[T]>`.
    Slice(Type),
    /// `Option<&str>`.
    Str,
    /// `Option<&T>`.
    Ref(Type),
}

impl Returns {
    pub(crate) fn tokens(&self) -> TokenStream {
        match self {
            Returns::Slice(t) => {
                let t = t.absolute();
                quote!(Option<&[#t]>)
            }
            Returns::Str => quote!(Option<&str>),
            Returns::Ref(t) => {
                let t = t.absolute();
                quote!(Option<&#t>)
            }
        }
    }
}

/// How an accessor reads its value from a variant's payload `v`.
#[derive(Debug, Clone)]
pub(crate) enum Read {
    Field {
        ident: Ident,
        slot: Slot,
        boxed: bool,
    },
    /// The nested union's own accessor.
    Method(Ident),
}

/// One accessor of a union (or a field seen as one).
#[derive(Debug, Clone)]
pub(crate) struct Access {
    /// The accessor's name: the field's identifier.
    pub ident: Ident,
    pub returns: Returns,
    pub read: Read,
    /// The field's type, for code that picks accessors by type.
    pub ty: Type,
    pub doc: Option<String>,
}

impl Access {
    /// The same accessor on a union holding this one's owner: it calls the
    /// owner's accessor.
    pub(crate) fn through_method(&self) -> Access {
        Access {
            read: Read::Method(self.ident.clone()),
            ..self.clone()
        }
    }

    /// The expression reading it from `v`.
    pub(crate) fn expr(&self) -> TokenStream {
        match &self.read {
            Read::Method(m) => quote!(v.#m()),
            Read::Field { ident, slot, boxed } => match (slot, boxed, &self.returns) {
                (Slot::List, _, _) => quote!(Some(v.#ident.as_slice())),
                (Slot::Required, _, Returns::Str) => quote!(Some(v.#ident.as_str())),
                (Slot::Optional, _, Returns::Str) => quote!(v.#ident.as_deref()),
                (Slot::Required, false, _) => quote!(Some(&v.#ident)),
                (Slot::Required, true, _) => quote!(Some(&*v.#ident)),
                (Slot::Optional, false, _) => quote!(v.#ident.as_ref()),
                (Slot::Optional, true, _) => quote!(v.#ident.as_deref()),
            },
        }
    }
}

/// A family: its types live in `items`, under `Module::Family`.
#[derive(Debug)]
pub(crate) struct Family {
    pub name: String,
    pub module: Module,
    /// Slack's namespace (`slackLists` for `slack_lists`).
    pub namespace: String,
    pub doc: Option<String>,
    /// Sorted by name.
    pub methods: Vec<Method>,
}

/// One Web API method.
#[derive(Debug)]
pub(crate) struct Method {
    pub name: String,
    /// The handle's function name.
    pub fn_name: String,
    /// `camel(fn_name)`: the stem of the request and response names.
    pub base: String,
    /// The handle type of the method's namespace, for doc links.
    pub handle: String,
    pub doc: Option<String>,
    pub http: Http,
    pub json_body: bool,
    pub tokens: Vec<TokenKind>,
    pub scopes: Scopes,
    pub tier: Option<Tier>,
    pub retry_safe: bool,
    /// `Some(replacement)` when retired.
    pub deprecated: Option<Option<String>>,
    pub args: Vec<Arg>,
    pub errors: Vec<String>,
    pub response: Object,
    pub pagination: Option<Pagination>,
}

/// How an argument travels, as `crate::spec::ArgKind` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    String,
    Integer,
    Number,
    Boolean,
    /// Comma-joined in forms, a JSON array in JSON bodies.
    List,
    /// A JSON string inside forms, the value itself in JSON bodies.
    Json,
}

/// What an argument's (element) type is, for conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    Str,
    Secret,
    Id,
    Enum,
    Int,
    Float,
    Bool,
    Json,
    /// A Block Kit object or union: serialized, its limits checked.
    Kit,
}

/// A method argument.
#[derive(Debug)]
pub(crate) struct Arg {
    pub json: String,
    pub ident: Ident,
    pub ty: Type,
    /// The scalar of the type, or of its list or map items.
    pub scalar: Scalar,
    pub wire: Wire,
    pub required: bool,
    pub doc: Option<String>,
}

/// One field on a dotted response path, as generated.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub ident: Ident,
    pub slot: Slot,
}

/// A paginated method.
#[derive(Debug)]
pub(crate) struct Pagination {
    /// Dotted path of the items array, as the spec writes it.
    pub items: String,
    pub items_steps: Vec<Step>,
    /// The item type.
    pub item: Type,
    /// The page-size argument.
    pub limit: Option<String>,
    pub style: PageStyle,
}

#[derive(Debug)]
pub(crate) enum PageStyle {
    /// `cursor` argument, next cursor in `response_metadata.next_cursor`.
    Cursor {
        arg: String,
        arg_ident: Ident,
        metadata: Step,
        next_cursor: Step,
    },
    /// `page` argument, next page while `paging.page < paging.pages`.
    Number {
        arg: String,
        arg_ident: Ident,
        /// Dotted path of the paging object.
        paging: String,
        paging_steps: Vec<Step>,
        page: Step,
        pages: Step,
    },
}

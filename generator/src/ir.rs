//! The intermediate representation: what a client needs, in our own terms.
//!
//! Built by [`crate::lower`] from an `openapiv3` document and read by [`crate::emit`]. It holds
//! no `openapiv3` or token types, so either side can change without the other. All Rust names
//! are decided here (unique, keyword-safe); wire names are kept exactly as the spec spells them.

/// One spec's worth of client: everything emitted into one module.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub title: String,
    pub description: Option<String>,
    /// The spec file, as named in messages.
    pub source: String,
    /// The spec's own version (`info.version`).
    pub version: String,
    /// Every file the spec was read from, root first: the generated header names each one
    /// with its hash, so a change to any of them shows as stale output.
    pub inputs: Vec<InputFile>,
    pub server: Option<Server>,
    pub auth: Option<AuthScheme>,
    pub operations: Vec<Operation>,
    /// Requests the API sends: the spec's 3.1 `webhooks` and the selected operations'
    /// `callbacks`, in document order, each with a typed payload.
    pub webhooks: Vec<Webhook>,
    /// The type table: every named type the operations and webhooks reach, sorted by Rust
    /// name. A [`TypeId`] indexes it.
    pub types: Vec<TypeDef>,
    /// Other names of merged enums, sorted by name.
    pub aliases: Vec<TypeAlias>,
    /// Where `Client::from_env` reads settings; `None`: the module has no such constructor.
    pub environment: Option<Environment>,
}

/// A module's settings from the environment, checked against its spec: the variable names
/// (each a list, the first that is set wins) and the host template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub username: Vec<String>,
    pub password: Vec<String>,
    /// An API key's and its secret's variables: the Basic pair when both are set.
    pub api_key: Option<(Vec<String>, Vec<String>)>,
    pub host: Option<HostTemplate>,
}

/// The base URL's host as a template: `api.{edge}.{region}.twilio.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTemplate {
    pub template: String,
    /// The spec server's scheme (`https`).
    pub scheme: String,
    /// What follows the server's host: `/api/laml/2010-04-01`, or empty.
    pub path: String,
    /// In the order they appear in the template.
    pub placeholders: Vec<HostPlaceholder>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPlaceholder {
    pub name: String,
    pub variables: Vec<String>,
    pub default: Option<String>,
}

impl Api {
    /// The definition a [`TypeId`] of this API stands for.
    pub fn type_def(&self, id: TypeId) -> &TypeDef {
        // Ids are made only by `lower`, as indexes into this table.
        &self.types[id.0]
    }

    /// Every type with its id, in table order.
    pub fn type_ids(&self) -> impl Iterator<Item = (TypeId, &TypeDef)> {
        self.types.iter().enumerate().map(|(i, t)| (TypeId(i), t))
    }
}

/// One file a spec was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// As shown in messages and headers: the spec's name, or a path beside it.
    pub name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

/// A named type: an index into [`Api::types`] (typify's `TypeId` into its `TypeSpace`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(usize);

/// One line even in `{:#?}`, so IR dumps stay readable.
impl std::fmt::Debug for TypeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TypeId({})", self.0)
    }
}

impl TypeId {
    pub(crate) fn new(index: usize) -> Self {
        TypeId(index)
    }

    /// The position in [`Api::types`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// The default server the client talks to.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// URL template, `https://{space_name}.example.com/api`.
    pub url: String,
    pub description: Option<String>,
    pub variables: Vec<ServerVariable>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerVariable {
    pub name: String,
    pub rust_name: String,
    pub default: String,
    pub description: Option<String>,
    pub allowed: Vec<String>,
}

/// How requests authenticate, from the spec's security scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthScheme {
    pub name: String,
    pub kind: AuthKind,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthKind {
    Basic,
    Bearer,
    /// Schemes the runtime has no credentials for (API keys, mutual TLS); documented only.
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operationId as the spec spells it.
    pub id: String,
    /// The client method's name.
    pub method_name: String,
    pub http_method: HttpMethod,
    /// The path template as the spec spells it.
    pub path: String,
    pub path_parts: Vec<PathPart>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// The spec's tags, as spelled: they decide the operation's Cargo features.
    pub tags: Vec<String>,
    /// In the order the spec lists them; each is a method argument.
    pub path_params: Vec<PathParam>,
    /// Query and header parameters, gathered in one [`StructRole::Params`] struct.
    pub params: Option<TypeId>,
    pub body: Option<Body>,
    pub success: ResponseShape,
    pub error: ResponseShape,
    /// JSON text of the spec's example of the success response (the lowest documented 2XX
    /// status with one; its `example`, else its first `examples` value), for mock servers.
    pub success_example: Option<String>,
    /// Index into [`Operation::path_params`] of the parameter that defaults to the client's
    /// account (the module config's `account_parameter`); it is no method argument.
    pub account_param: Option<usize>,
    /// How to page through the results, when the operation lists something.
    pub pagination: Option<Pagination>,
    /// The private client method that builds the operation's request (for a list
    /// operation, the request both its methods send).
    pub request_method: String,
}

impl Operation {
    /// The path parameters the caller passes: all but the account parameter.
    pub fn argument_params(&self) -> impl Iterator<Item = &PathParam> {
        self.path_params
            .iter()
            .enumerate()
            .filter(move |(i, _)| Some(*i) != self.account_param)
            .map(|(_, p)| p)
    }
}

/// A request the API sends to the user's server (a webhook, or an operation's callback),
/// decoded by the payload type's generated `from_request`.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// The spec's name: the key under `webhooks`, or the callback's key under `callbacks`.
    pub name: String,
    pub http_method: HttpMethod,
    /// Where it was written: a JSON pointer into the spec.
    pub origin: String,
    /// For a callback: the operationId of the operation that configures it.
    pub callback_of: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// The body's struct (a [`StructRole::Model`] struct, decoded from form fields or JSON).
    pub payload: TypeId,
    /// The media types the spec documents for the body: [`BodyEncoding::Form`] first (the
    /// payload's schema is the first one's), then [`BodyEncoding::Json`]; no others.
    pub encodings: Vec<BodyEncoding>,
}

/// A list operation: its success body holds one page of items and a link to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The success body's struct, which gets a `Listing` impl.
    pub listing: TypeId,
    /// The array property holding the page's items.
    pub items: ListingField,
    /// The item type.
    pub item: TypeRef,
    pub next: NextLink,
    /// The client method that streams every item (`list_participant_stream`).
    pub stream_method: String,
}

/// Where a list response keeps its next-page link.
#[derive(Debug, Clone, PartialEq)]
pub enum NextLink {
    /// A top-level `next_page_uri`: a path on the API host (Twilio 2010-04-01, SignalWire).
    Uri(ListingField),
    /// `meta.next_page_url`: an absolute URL (Twilio's v1/v2 APIs).
    MetaUrl {
        meta: ListingField,
        url: ListingField,
    },
}

/// A struct field a listing reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingField {
    pub rust_name: String,
    /// The key in the body.
    pub wire_name: String,
    /// `Option<…>` in Rust.
    pub optional: bool,
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    /// Index into [`Operation::path_params`].
    Param(usize),
}

/// Where a [`StructRole::Params`] field goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Query,
    Header,
}

/// A path parameter: always required, encoded as one path segment.
#[derive(Debug, Clone, PartialEq)]
pub struct PathParam {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub facts: Facts,
}

/// What the spec says about a value beyond its type; rendered into documentation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub description: Option<String>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    /// JSON text of the default value.
    pub default: Option<String>,
    /// JSON text of an example value.
    pub example: Option<String>,
    pub deprecated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub encoding: BodyEncoding,
    /// For form bodies always a named struct.
    pub ty: TypeRef,
    pub required: bool,
    pub description: Option<String>,
}

/// How a request body goes on the wire. When an operation offers several media types, the
/// first of this order that it offers is used: the structured ones first (JSON, then form,
/// then multipart), then plain text, then raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BodyEncoding {
    /// `application/json` (and `+json` types).
    Json,
    /// `application/x-www-form-urlencoded`: a [`StructRole::Form`] struct.
    Form,
    /// `multipart/form-data`: a [`StructRole::Multipart`] struct.
    Multipart,
    /// `text/plain`: a string.
    Text,
    /// `application/octet-stream`: raw bytes.
    Bytes,
}

/// What a set of responses (the successes, or the errors) decodes into.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseShape {
    /// No documented body: successes return `()`, errors use the runtime's error envelope.
    Untyped,
    /// One type for every status in the set.
    Typed(TypeRef),
    /// Different types per status: a [`TypeKind::ByStatus`] enum.
    ByStatus(TypeId),
}

/// A status code pattern from `responses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    Code(u16),
    /// `4XX` is `Class(4)`.
    Class(u16),
    Default,
}

/// A type reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    F64,
    /// A date-time kept as sent, parsed on demand.
    Timestamp,
    /// A calendar date sent as `YYYY-MM-DD` (`format: date` parameters).
    Date,
    /// An instant sent as RFC 3339 (`format: date-time` parameters).
    DateTime,
    /// Anything the generator cannot type more precisely.
    Json,
    /// Raw bytes (an `application/octet-stream` body).
    Bytes,
    /// A file in a multipart body: bytes, file name and content type.
    File,
    List(Box<TypeRef>),
    /// An object with arbitrary keys.
    Map(Box<TypeRef>),
    /// A [`TypeDef`] in the type table.
    Named(TypeId),
}

impl TypeRef {
    /// The named type this refers to, through lists and maps.
    pub fn named_within(&self) -> Option<TypeId> {
        match self {
            TypeRef::Named(id) => Some(*id),
            TypeRef::List(inner) | TypeRef::Map(inner) => inner.named_within(),
            _ => None,
        }
    }
}

/// Another name of a named type: an enum the spec defines again with the same values is
/// merged into one type, and keeps its own name as an alias of it. Which name the merged type
/// takes depends on the enums there are (the shortest), so without the aliases a schema added
/// to the spec could take a name away.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeAlias {
    pub name: String,
    pub target: TypeId,
    /// Where the merged enum came from: a JSON pointer into the spec.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    /// Where it came from: a JSON pointer into the spec.
    pub origin: String,
    pub description: Option<String>,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    Enum(Enum),
    ByStatus(ByStatus),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    pub role: StructRole,
}

/// What a struct is for, beyond holding JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructRole {
    /// A JSON object: a schema, a JSON body, a response.
    Model,
    /// Also sent as an `application/x-www-form-urlencoded` body.
    Form,
    /// An operation's query and header parameters; each field has a location.
    Params,
    /// Sent as a `multipart/form-data` body; [`TypeRef::File`] fields are file parts.
    Multipart,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// Boxed to break a cycle of types that contain each other.
    pub boxed: bool,
    /// For [`StructRole::Params`] structs: where the value goes.
    pub location: Option<ParamLocation>,
    pub facts: Facts,
}

impl Field {
    /// Optional fields and nullable fields are both `Option` in Rust.
    pub fn is_option(&self) -> bool {
        !self.required || self.nullable
    }
}

/// A string enum. Every enum keeps values it does not know in `fallback`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub values: Vec<EnumValue>,
    /// The schema's `format` (`http-method`), which identical enums are merged by.
    pub format: Option<String>,
    /// Name of the variant holding unknown values.
    pub fallback: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EnumValue {
    pub wire: String,
    pub variant: String,
}

/// Responses whose type depends on the status code.
#[derive(Debug, Clone, PartialEq)]
pub struct ByStatus {
    pub variants: Vec<StatusVariant>,
    /// For error sets: the variant for undocumented statuses, holding the runtime's envelope.
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusVariant {
    pub name: String,
    pub statuses: Vec<StatusMatch>,
    /// `None`: the response has no body.
    pub ty: Option<TypeRef>,
    pub description: Option<String>,
}

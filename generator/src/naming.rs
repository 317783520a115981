//! Rust names for spec names: valid, keyword-safe, ASCII, and unique in their scope.

use crate::error::Error;
use heck::{ToSnakeCase, ToUpperCamelCase};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

/// Words a value name is split into. Punctuation that carries meaning in Twilio's specs
/// (`DateCreated<`, `StartTime>`) becomes a word so that such names stay distinct.
fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '<' => out.push_str(" lt "),
            '>' => out.push_str(" gt "),
            '=' => out.push_str(" eq "),
            c if c.is_ascii() => out.push(' '),
            c => out.push_str(&format!(" u{:x} ", c as u32)),
        }
    }
    out
}

/// Keywords that `r#` can rescue.
const RAW_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static", "struct",
    "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where",
    "while", "yield", "abstract", "become",
];

/// Keywords that cannot be raw identifiers.
const PLAIN_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Method names of traits a generated type implements, derives or may derive, and names
/// clippy's `should_implement_trait` keeps for std traits. An inherent method of such a name
/// would shadow the trait's (`client.clone()` would send a request instead of copying the
/// client) or fail `clippy -D warnings`, so an operation named so gets a trailing `_`, as
/// `self` does: `clone_`, `default_`. The list covers what `Client` has today (`Debug` and
/// `Clone` derived; `From`/`Into`, `TryFrom`/`TryInto`, `Borrow`, `ToOwned` and `Any` for
/// every type) and the other derivable std traits (`PartialEq`, `PartialOrd`, `Ord`,
/// `Hash`, `Default`, `Display`), so deriving one later renames no operation. Sorted.
const TRAIT_METHODS: &[&str] = &[
    "add",
    "as_mut",
    "as_ref",
    "bitand",
    "bitor",
    "bitxor",
    "borrow",
    "borrow_mut",
    "clamp",
    "clone",
    "clone_from",
    "clone_into",
    "cmp",
    "default",
    "deref",
    "deref_mut",
    "div",
    "drop",
    "eq",
    "fmt",
    "from",
    "from_iter",
    "from_str",
    "ge",
    "gt",
    "hash",
    "index",
    "index_mut",
    "into",
    "into_iter",
    "le",
    "lt",
    "max",
    "min",
    "mul",
    "ne",
    "neg",
    "next",
    "not",
    "partial_cmp",
    "rem",
    "shl",
    "shr",
    "sub",
    "to_owned",
    "to_string",
    "try_from",
    "try_into",
    "type_id",
];

/// A client method's name for an operationId: [`snake`], and a trailing `_` for a name that
/// would shadow a trait method (`clone`, `fmt`, `eq`, …: the list is `TRAIT_METHODS`).
pub fn method(operation_id: &str) -> String {
    let mut name = snake(operation_id);
    if TRAIT_METHODS.binary_search(&name.as_str()).is_ok() {
        name.push('_');
    }
    name
}

/// A method name as the stem of a derived one: `self_` (a keyword's escape) and `r#type` give
/// `self` and `type`, so that `self_stream` is not `self__stream`.
pub fn method_stem(method: &str) -> &str {
    method.trim_start_matches("r#").trim_end_matches('_')
}

thread_local! {
    /// Names this thread already converted, by case: a spec repeats its property names across
    /// schemas, and converting (heck works char by char) is most of lowering's own work.
    static SNAKE: RefCell<HashMap<String, String>> = RefCell::default();
    static CAMEL: RefCell<HashMap<String, String>> = RefCell::default();
}

/// How many names each case remembers; a thread that reads many specs starts over now and then.
const REMEMBERED: usize = 4096;

/// `convert(name)`, remembered in `seen`.
fn remembered(
    seen: &'static std::thread::LocalKey<RefCell<HashMap<String, String>>>,
    name: &str,
    convert: fn(&str) -> String,
) -> String {
    seen.with(|seen| {
        if let Some(done) = seen.borrow().get(name) {
            return done.clone();
        }
        let done = convert(name);
        let mut seen = seen.borrow_mut();
        if seen.len() >= REMEMBERED {
            seen.clear();
        }
        seen.insert(name.to_string(), done.clone());
        done
    })
}

/// A `snake_case` value name (field, method, argument).
pub fn snake(name: &str) -> String {
    remembered(&SNAKE, name, to_snake)
}

/// An `UpperCamelCase` type or variant name.
pub fn camel(name: &str) -> String {
    remembered(&CAMEL, name, to_camel)
}

fn to_snake(name: &str) -> String {
    let mut s = words(name).to_snake_case();
    if s.is_empty() {
        s = "value".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if PLAIN_KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    } else if RAW_KEYWORDS.contains(&s.as_str()) {
        s.insert_str(0, "r#");
    }
    s
}

fn to_camel(name: &str) -> String {
    let mut s = words(name).to_upper_camel_case();
    if s.is_empty() {
        s = "Empty".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    // `Self` is the only keyword in UpperCamelCase; a suffix keeps it UpperCamelCase.
    if s == "Self" {
        s.push_str("Value");
    }
    s
}

/// The Rust name of the component schema `schema`: `namespace` (the dotted prefix the spec's
/// schema names share, such as Twilio's `api.v2010.account`) left out, segments that the
/// next one repeats dropped, and the words a segment shares with the one kept before it left
/// out; UpperCamelCase.
///
/// `api.v2010.account.incoming_phone_number.incoming_phone_number_assigned_add_on` becomes
/// `IncomingPhoneNumberAssignedAddOn`, `…available_phone_number_country.available_phone_number_local`
/// `AvailablePhoneNumberCountryLocal`, and `api.v2010.account` itself `Account`. The name
/// depends on `schema` and `namespace` alone, never on which other schemas exist, so adding
/// a schema renames no type.
pub fn schema_type_name(schema: &str, namespace: Option<&str>) -> String {
    let rest = match namespace.map(|n| n.trim_end_matches('.')) {
        Some(ns) if !ns.is_empty() && schema == ns => ns.rsplit('.').next().unwrap_or(ns),
        Some(ns) if !ns.is_empty() => schema
            .strip_prefix(ns)
            .and_then(|r| r.strip_prefix('.'))
            .filter(|r| !r.is_empty())
            .unwrap_or(schema),
        _ => schema,
    };
    let segments: Vec<Vec<String>> = rest
        .split('.')
        .map(|segment| {
            words(segment)
                .to_snake_case()
                .split('_')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect();
    let mut kept: Vec<&[String]> = Vec::with_capacity(segments.len());
    let mut out: Vec<&str> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        // `incoming_phone_number.incoming_phone_number_local`: the next segment says it all.
        if segments
            .get(i + 1)
            .is_some_and(|next| next.starts_with(segment))
        {
            continue;
        }
        // `sip_domain.sip_auth`: `sip` is said already.
        let shared = kept.last().map_or(0, |previous| {
            previous
                .iter()
                .zip(segment)
                .take_while(|(a, b)| a == b)
                .count()
        });
        let own = if shared < segment.len() {
            &segment[shared..]
        } else {
            &segment[..]
        };
        out.extend(own.iter().map(String::as_str));
        kept.push(segment);
    }
    camel(&out.join("_"))
}

/// The Cargo features every generated crate declares, whatever its specs: no user-given name
/// may become another feature of the same name.
pub const BUILT_IN_FEATURES: [&str; 6] =
    ["default", "tracing", "webhooks", "axum", "mock", "serde"];

/// Whether `name` is spelled like a plain Rust identifier: ASCII letters, digits and `_`, not
/// starting with a digit, and not `_` alone. Keywords pass; see [`check_crate_names`].
pub fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

fn is_keyword(name: &str) -> bool {
    syn::parse_str::<syn::Ident>(name).is_err()
}

/// Checks a crate's package name and its module names before anything is generated: the one
/// place the user's names are validated.
pub fn check_crate_names<'n>(
    krate: &str,
    modules: impl IntoIterator<Item = &'n str>,
) -> Result<(), Error> {
    let invalid = |what, name: &str, reason: &str| Error::InvalidName {
        what,
        name: name.to_string(),
        reason: reason.to_string(),
    };
    let ident = krate.replace('-', "_");
    if !is_identifier(&ident) || is_keyword(&ident) {
        return Err(invalid(
            "crate name",
            krate,
            "use ASCII letters, digits, `-` and `_`, starting with a letter, and not a Rust keyword",
        ));
    }
    let mut seen = BTreeSet::new();
    for module in modules {
        if !is_identifier(module) || is_keyword(module) {
            return Err(invalid(
                "module name",
                module,
                "a module name must be a Rust identifier (ASCII letters, digits and `_`, not starting with a digit) and not a keyword",
            ));
        }
        if ["lib", "main", "runtime"].contains(&module) {
            return Err(invalid(
                "module name",
                module,
                "`lib`, `main` and `runtime` name files the crate already has",
            ));
        }
        if !seen.insert(module) {
            return Err(invalid("module name", module, "two modules have this name"));
        }
    }
    Ok(())
}

/// Words a spec title carries that say nothing about which API it is.
const TITLE_FILLER: &[&str] = &["api", "apis", "openapi"];

/// A module name for a spec titled `title` when the user gives none: its first three words in
/// `snake_case`, without `api` (`Twilio - Api` → `twilio`, `Compatibility API` →
/// `compatibility`), or `api` when that leaves no usable name.
pub fn module_name_from_title(title: &str) -> String {
    // Only ASCII words make a readable name (`snake` spells others as code points).
    let ascii: String = title
        .chars()
        .map(|c| if c.is_ascii() { c } else { ' ' })
        .collect();
    if !ascii.chars().any(|c| c.is_ascii_alphanumeric()) {
        return "api".to_string();
    }
    let snake = snake(&ascii);
    let words: Vec<&str> = snake
        .trim_start_matches("r#")
        .split('_')
        .filter(|w| !w.is_empty() && !TITLE_FILLER.contains(w))
        .take(3)
        .collect();
    let name = words.join("_");
    let usable = is_identifier(&name)
        && !is_keyword(&name)
        && !["lib", "main", "runtime"].contains(&name.as_str());
    if usable {
        name
    } else {
        "api".to_string()
    }
}

/// The package name of a crate whose first module is `module` when the user gives none:
/// `twilio` → `twilio-client`.
pub fn crate_name_for_module(module: &str) -> String {
    format!("{}-client", module.replace('_', "-"))
}

/// Hands out names unique within one scope (a module's types, a struct's fields, …).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// `base`, or `base2`, `base3`, … if taken. Raw identifiers compare without `r#`.
    pub fn claim(&mut self, base: &str) -> String {
        let bare = base.trim_start_matches("r#");
        if self.taken.insert(bare.to_string()) {
            return base.to_string();
        }
        let sep = if bare.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{bare}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or_default()
    }
}

/// Type names a module must not define: the prelude and what generated code refers to by
/// its short name.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "Extend",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "FromIterator",
    "Client",
    "Credentials",
    "ClientConfig",
    "Error",
    "ApiError",
    "ApiErrorBody",
    "Timestamp",
    "BuildError",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(snake("CallSidToCoach"), "call_sid_to_coach");
        assert_eq!(snake("DateCreated<"), "date_created_lt");
        assert_eq!(snake("DateCreated>"), "date_created_gt");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("Self"), "self_");
        assert_eq!(snake("3d"), "_3d");
        assert_eq!(snake(""), "value");
        assert_eq!(snake("a-b.c d"), "a_b_c_d");
        assert_eq!(snake("β"), "u3b2");
    }

    #[test]
    fn method_names_never_shadow_trait_methods() {
        assert!(
            TRAIT_METHODS.windows(2).all(|w| w[0] < w[1]),
            "sorted, once each"
        );
        assert_eq!(method("Clone"), "clone_");
        assert_eq!(method("default"), "default_");
        assert_eq!(method("ToString"), "to_string_");
        assert_eq!(method("type_id"), "type_id_");
        assert_eq!(method("CloneCall"), "clone_call");
        assert_eq!(method("UpdateParticipant"), "update_participant");
        assert_eq!(method("type"), "r#type");
        assert_eq!(method("self"), "self_");
        assert_eq!(method_stem(&method("clone")), "clone");
    }

    #[test]
    fn camel_names() {
        assert_eq!(
            camel("api.v2010.account.conference.participant"),
            "ApiV2010AccountConferenceParticipant"
        );
        assert_eq!(camel("in-progress"), "InProgress");
        assert_eq!(camel("GET"), "Get");
        assert_eq!(camel(""), "Empty");
        assert_eq!(camel("1"), "V1");
        assert_eq!(camel("Self"), "SelfValue");
        assert_eq!(camel("self"), "SelfValue");
    }

    /// Each case remembers its own conversions.
    #[test]
    fn remembered_names_keep_their_case() {
        for _ in 0..2 {
            assert_eq!(snake("GET"), "get");
            assert_eq!(camel("GET"), "Get");
            assert_eq!(snake("DateCreated<"), "date_created_lt");
            assert_eq!(camel("DateCreated<"), "DateCreatedLt");
        }
    }

    #[test]
    fn bad_crate_and_module_names_are_rejected() {
        for (krate, modules) in [
            ("ok", vec!["my-mod"]),
            ("ok", vec!["1abc"]),
            ("ok", vec![""]),
            ("ok", vec!["a b"]),
            ("ok", vec!["self"]),
            ("ok", vec!["fn"]),
            ("ok", vec!["lib"]),
            ("ok", vec!["runtime"]),
            ("ok", vec!["a", "a"]),
            ("1crate", vec!["a"]),
            ("my crate", vec!["a"]),
            ("fn", vec!["a"]),
        ] {
            let e = check_crate_names(krate, modules.iter().copied()).unwrap_err();
            assert!(
                matches!(e, Error::InvalidName { .. }),
                "{krate} {modules:?}: {e}"
            );
        }
        assert!(check_crate_names("telephony-client", ["twilio", "signalwire"]).is_ok());
    }

    #[test]
    fn default_names_come_from_the_title() {
        for (title, module) in [
            ("Twilio - Api", "twilio"),
            ("Compatibility API", "compatibility"),
            (
                "Twilio Conference Participants",
                "twilio_conference_participants",
            ),
            (
                "SignalWire update participant, JSON body",
                "signal_wire_update",
            ),
            ("", "api"),
            ("API", "api"),
            ("3D", "api"),
            ("type", "api"),
            ("Runtime", "api"),
            ("Grüße Voice", "gr_e_voice"),
            ("Ωμέγα", "api"),
        ] {
            assert_eq!(module_name_from_title(title), module, "{title:?}");
            let krate = crate_name_for_module(module);
            assert!(
                check_crate_names(&krate, [module]).is_ok(),
                "{krate} {module}"
            );
        }
        assert_eq!(crate_name_for_module("twilio_api"), "twilio-api-client");
    }

    #[test]
    fn schema_names_drop_their_namespace_and_repeated_segments() {
        let ns = Some("api.v2010.account");
        for (schema, namespace, name) in [
            ("api.v2010.account.conference.participant", ns, "ConferenceParticipant"),
            ("api.v2010.account.conference.participant", None, "ApiV2010AccountConferenceParticipant"),
            ("api.v2010.account", ns, "Account"),
            ("api.v2010.account.call", Some("api.v2010.account."), "Call"),
            ("api.v2010.accounting.call", ns, "ApiV2010AccountingCall"),
            ("participant_enum_status", ns, "ParticipantEnumStatus"),
            ("api.v2010.account.incoming_phone_number.incoming_phone_number_assigned_add_on.incoming_phone_number_assigned_add_on_extension", ns, "IncomingPhoneNumberAssignedAddOnExtension"),
            ("api.v2010.account.available_phone_number_country.available_phone_number_local", ns, "AvailablePhoneNumberCountryLocal"),
            ("api.v2010.account.sip.sip_domain.sip_auth.sip_auth_calls.sip_auth_calls_credential_list_mapping", ns, "SipDomainAuthCallsCredentialListMapping"),
            ("api.v2010.account.sip.sip_credential_list.sip_credential", ns, "SipCredentialListSipCredential"),
            ("api.v2010.account.call.call_notification-instance", ns, "CallNotificationInstance"),
            ("api.v2010.account.usage.usage_record.usage_record_all_time", ns, "UsageRecordAllTime"),
            ("ConferenceParticipant", ns, "ConferenceParticipant"),
            ("uuid", None, "Uuid"),
            ("a..b", None, "AB"),
            ("...", None, "Empty"),
            ("1x", None, "V1x"),
        ] {
            assert_eq!(schema_type_name(schema, namespace), name, "{schema}");
        }
    }

    #[test]
    fn scopes_disambiguate() {
        let mut scope = Scope::with_reserved(&["Result"]);
        assert_eq!(scope.claim("Result"), "Result2");
        assert_eq!(scope.claim("Get"), "Get");
        assert_eq!(scope.claim("Get"), "Get2");
        assert_eq!(scope.claim("V1"), "V1");
        assert_eq!(scope.claim("V1"), "V1_2");
        assert_eq!(scope.claim("r#type"), "r#type");
        assert_eq!(scope.claim("r#type"), "type2");
    }
}

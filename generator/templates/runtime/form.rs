/// `application/x-www-form-urlencoded` as WHATWG defines it: UTF-8, spaces as `+`,
/// everything but `*-._` and ASCII alphanumerics percent-encoded.
pub fn encode_form(pairs: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}

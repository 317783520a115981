//! Spec bytes → IR → emitted crate files. Any outcome but a panic (or a crash) is fine, except
//! an `Error::Emit`: that means the generator produced Rust that does not parse, which is a
//! generator bug, so it is turned into a panic for the fuzzer to report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telephony_codegen::emit::{CrateSpec, ModuleSpec};
use telephony_codegen::error::Error;
use telephony_codegen::{api_from_text, crate_files, Selection};

fuzz_target!(|data: &[u8]| {
    let Ok(api) = api_from_text("fuzz.yaml", data, &Selection::All) else {
        return;
    };
    let spec = CrateSpec {
        name: "fuzz-client".into(),
        version: "0.1.0".into(),
        modules: vec![ModuleSpec {
            name: "api".into(),
            api,
        }],
    };
    if let Err(e @ Error::Emit { .. }) = crate_files(&spec) {
        panic!("the generator emitted Rust that does not parse: {e}");
    }
});

//! `generated/` is exactly what the generator makes from `specs/`, and every generated file
//! has a reviewed insta snapshot.

use std::path::PathBuf;
use telephony_codegen::{config::Config, Mode};
use telephony_tests::repo_root;

fn request() -> (telephony_codegen::CrateRequest, PathBuf) {
    let root = repo_root();
    let config = Config::load(&root.join("specs/codegen.toml")).expect("specs/codegen.toml loads");
    (
        telephony_codegen::request_from_config(&config, &root),
        config.krate.output,
    )
}

#[test]
fn generated_directory_is_fresh() {
    let (request, out) = request();
    let stale = telephony_codegen::run(&request, &out, Mode::Check)
        .expect("generation succeeds")
        .changes;
    let names: Vec<String> = stale.iter().map(ToString::to_string).collect();
    assert!(
        names.is_empty(),
        "generated/ is stale; run `cargo xtask codegen`:\n{}",
        names.join("\n")
    );
}

#[test]
fn every_generated_file_matches_its_snapshot() {
    let (request, _) = request();
    let files = telephony_codegen::generate(&request).expect("generation succeeds");
    assert!(
        files.len() >= 5,
        "expected Cargo.toml, lib, runtime and two modules"
    );
    for file in files {
        let name = format!("generated__{}", file.path.replace(['/', '.'], "_"));
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => file.path.clone() }, {
            insta::assert_snapshot!(name, file.contents);
        });
    }
}

#[test]
fn generation_is_deterministic() {
    let (request, _) = request();
    let first = telephony_codegen::generate(&request).expect("generation succeeds");
    let second = telephony_codegen::generate(&request).expect("generation succeeds");
    assert_eq!(first, second);
}

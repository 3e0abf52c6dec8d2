//! Runs every fuzz target over its committed corpus (`corpus/<target>/`) and its past crashes
//! (`artifacts/<target>/`, when any): a stable-toolchain regression test that needs no libFuzzer.

use std::path::PathBuf;

#[test]
fn every_target_survives_its_whole_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (name, target) in keepwarm_fuzz::TARGETS {
        let mut inputs = 0;
        for dir in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
                continue;
            };
            for entry in entries.flatten() {
                let bytes = std::fs::read(entry.path()).unwrap_or_default();
                target(&bytes);
                inputs += 1;
            }
        }
        assert!(inputs > 0, "no corpus for {name}");
    }
}

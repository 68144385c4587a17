//! The model files validate, and `xxgk models check` says so.

use crate::util::{root, xxgk, TempDir};

#[test]
fn models_check_passes_on_the_shipped_models() {
    let out = xxgk(&["models", "check", "models"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "edition 2019: 3 tables, 198 fields\nedition 2021: 3 tables, 207 fields\nmodels ok\n"
    );
}

#[test]
fn models_check_names_the_file_and_the_problem() {
    let dir = TempDir::new("models");
    for entry in ["2019", "2021"] {
        std::fs::create_dir_all(dir.0.join(entry)).unwrap();
        for t in ["s2", "s3", "s4"] {
            std::fs::copy(
                root().join(format!("models/{entry}/{t}.toml")),
                dir.0.join(format!("{entry}/{t}.toml")),
            )
            .unwrap();
        }
    }
    std::fs::copy(root().join("models/sections.toml"), dir.0.join("sections.toml")).unwrap();
    let s4 = dir.0.join("2021/s4.toml");
    let text = std::fs::read_to_string(&s4).unwrap().replace(
        "rhs = [\"upheld\", \"corrected\", \"other\", \"pending\"]",
        "rhs = [\"upheld\", \"corrected\", \"others\", \"pending\"]",
    );
    std::fs::write(&s4, text).unwrap();
    let out = xxgk(&["models", "check", dir.0.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "xxgk: invalid model files:\n2021/s4.toml: check R4: unknown column others\n"
    );
}

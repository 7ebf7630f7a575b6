# Sourced by the other scripts: puts the project's tools on PATH.
# binaryen's wasm-opt comes from end2end/node_modules (see scripts/setup).
export PATH="$PWD/end2end/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# The server binary a plain `cargo build`/`cargo test` of the dev profile
# makes (scripts/run serves it; scripts/test's Playwright step tests it),
# wherever CARGO_TARGET_DIR puts it.
dev_server() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"] + "/debug/sesame")'
}

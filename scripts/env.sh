# Sourced by the other scripts: puts the project's tools on PATH.
# binaryen's wasm-opt comes from end2end/node_modules (see scripts/setup).
export PATH="$PWD/end2end/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

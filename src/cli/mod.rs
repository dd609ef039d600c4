//! Placeholder: the CLI lands next.
pub fn run() -> i32 {
    0
}

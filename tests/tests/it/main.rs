//! Cross-crate tests, in one binary so they link once: regen from the user's side, the
//! generated clients on the wire, the examples through the generated types and the
//! normalizers, tolerance of what the docs do not show, and the API surface snapshots.

mod client_auth;
mod contract;
mod examples_decode;
mod fifth_vendor;
mod more_pages;
mod normalize_never_panics;
mod one_build;
mod real_reels;
mod regen;
mod regen_fuzz;
mod regen_robust;
mod specs_unedited;
mod surface;
mod tidy;
mod tolerance;
mod views_agree;
mod workspace_loads;

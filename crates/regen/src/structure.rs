//! A cheap check of the code regen is about to write, before anything is written: no module
//! defines a name twice and no trait is implemented twice for one type — what rustc would
//! refuse (E0428, E0119) when two components of a document end up as one Rust type.

use std::collections::BTreeSet;

use quote::ToTokens;

/// The first name defined twice, or trait implemented twice for one type, in `file`.
pub(crate) fn first_duplicate(file: &syn::File) -> Option<String> {
    in_module(&file.items, "crate")
}

fn in_module(items: &[syn::Item], module: &str) -> Option<String> {
    let mut types = BTreeSet::new();
    let mut values = BTreeSet::new();
    let mut impls = BTreeSet::new();
    for item in items {
        let (namespace, name) = match item {
            syn::Item::Struct(i) => (&mut types, i.ident.to_string()),
            syn::Item::Enum(i) => (&mut types, i.ident.to_string()),
            syn::Item::Type(i) => (&mut types, i.ident.to_string()),
            syn::Item::Trait(i) => (&mut types, i.ident.to_string()),
            syn::Item::Union(i) => (&mut types, i.ident.to_string()),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content
                    && let Some(found) = in_module(inner, &format!("{module}::{}", m.ident))
                {
                    return Some(found);
                }
                (&mut types, m.ident.to_string())
            }
            syn::Item::Fn(i) => (&mut values, i.sig.ident.to_string()),
            syn::Item::Const(i) => (&mut values, i.ident.to_string()),
            syn::Item::Static(i) => (&mut values, i.ident.to_string()),
            syn::Item::Impl(i) => {
                if let Some((trait_path, _)) = &i.trait_ {
                    // Generic impls are told apart by their parameters; only plain ones compare.
                    if i.generics.params.is_empty() {
                        let key = format!(
                            "impl {} for {}",
                            trait_path.to_token_stream(),
                            i.self_ty.to_token_stream()
                        );
                        if !impls.insert(key.clone()) {
                            return Some(format!("`{key}` twice in `{module}`"));
                        }
                    }
                }
                continue;
            }
            _ => continue,
        };
        if !namespace.insert(name.clone()) {
            return Some(format!("`{module}::{name}` defined twice"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_names_and_impls_are_found_and_distinct_ones_pass() {
        let ok: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct A;
                pub fn a() {}
                impl From<B> for A { fn from(_: B) -> Self { A } }
                impl From<C> for A { fn from(_: C) -> Self { A } }
            }
            pub struct A;
        };
        assert_eq!(first_duplicate(&ok), None);
        let twice: syn::File = syn::parse_quote! {
            pub mod types { pub struct A; pub type A = B; }
        };
        assert_eq!(
            first_duplicate(&twice).as_deref(),
            Some("`crate::types::A` defined twice")
        );
        let impls: syn::File = syn::parse_quote! {
            impl From<A> for A { fn from(a: A) -> Self { a } }
            impl From<A> for A { fn from(a: A) -> Self { a } }
        };
        assert!(first_duplicate(&impls).is_some_and(|d| d.contains("impl From < A > for A")));
    }
}

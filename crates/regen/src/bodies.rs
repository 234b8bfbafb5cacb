//! Each operation's body types, read off progenitor's builders: what `VENDOR` names for every
//! operation's success and error bodies, so saved responses can be checked against them.

use std::collections::BTreeMap;

/// Each operation's body types, as progenitor's builders name them: builder (the operation id
/// in Pascal case) → (success type, error type); `None` for byte streams and for no body.
pub type Bodies = BTreeMap<String, (Option<syn::Type>, Option<syn::Type>)>;

/// Reads the body types off every builder's `send`, which returns
/// `Result<ResponseValue<T>, Error<E>>`.
pub fn body_types(file: &syn::File) -> Bodies {
    let mut out = Bodies::new();
    let builder = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, c)| c),
        _ => None,
    });
    for item in builder.into_iter().flatten() {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = imp.self_ty.as_ref() else {
            continue;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        for f in &imp.items {
            let syn::ImplItem::Fn(f) = f else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            let args = generic_args(ty, "Result");
            let success = args
                .first()
                .and_then(|t| generic_args(t, "ResponseValue").into_iter().next());
            let error = args
                .get(1)
                .and_then(|t| generic_args(t, "Error").into_iter().next());
            out.insert(
                name.clone(),
                (success.and_then(decodable), error.and_then(decodable)),
            );
        }
    }
    out
}

/// The type arguments of `ty` when its last path segment is `outer`.
fn generic_args(ty: &syn::Type, outer: &str) -> Vec<syn::Type> {
    let syn::Type::Path(p) = ty else {
        return Vec::new();
    };
    let Some(last) = p.path.segments.last().filter(|s| s.ident == outer) else {
        return Vec::new();
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// A body type that JSON decodes into: not a byte stream, not `()`.
fn decodable(ty: syn::Type) -> Option<syn::Type> {
    match &ty {
        syn::Type::Tuple(t) if t.elems.is_empty() => None,
        syn::Type::Path(p)
            if p.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "ByteStream") =>
        {
            None
        }
        _ => Some(ty),
    }
}

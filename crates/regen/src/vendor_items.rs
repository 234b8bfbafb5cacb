//! The per-vendor items appended to progenitor's output, as tokens: the `VENDOR` facts
//! constant, and `FromApiKey` (whose constructors are written once in `client-runtime`) for the
//! client.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use spec_ingest::{Auth, Canonical};

use crate::RegenError;
use crate::bodies::Bodies;

/// `VENDOR`, `BASE_URL` and the `FromApiKey` implementation. Fails when an operation's
/// builder is not where the naming rule says progenitor put it.
pub fn vendor_items(canonical: &Canonical, bodies: &Bodies) -> Result<TokenStream, RegenError> {
    let m = &canonical.info;
    let name = &m.vendor;
    let display_name = &m.display_name;
    let base_url = &m.base_url;
    let (auth, auth_doc) = match &m.auth {
        Auth::Bearer => (
            quote!(::client_runtime::Auth::Bearer),
            "`Authorization: Bearer <key>`".to_owned(),
        ),
        Auth::Header { name } => (
            quote!(::client_runtime::Auth::Header(#name)),
            format!("`{name}: <key>`"),
        ),
        Auth::None => (
            quote!(::client_runtime::Auth::None),
            "no key: the API is public".to_owned(),
        ),
    };
    let remaining = optional_str(m.credit_headers.remaining.as_deref());
    let used = optional_str(m.credit_headers.used.as_deref());
    let operations = operation_metas(&canonical.document, bodies, name)?;
    let vendor_doc = format!(
        " What {display_name}'s docs and `specs/{name}/vendor.toml` say: base URL, auth ({auth_doc}), credit headers, operations with their documented costs, and the canonical OpenAPI document this client was generated from."
    );
    Ok(quote! {
        #[doc = #vendor_doc]
        pub const VENDOR: ::client_runtime::VendorFacts = ::client_runtime::VendorFacts {
            name: #name,
            display_name: #display_name,
            base_url: #base_url,
            auth: #auth,
            credit_headers: ::client_runtime::CreditHeaders {
                remaining: #remaining,
                used: #used,
            },
            operations: &[#(#operations),*],
            openapi_document: include_str!("../openapi.json"),
        };

        /// The vendor's production base URL.
        pub const BASE_URL: &str = VENDOR.base_url;

        pub use ::client_runtime::{ClientBuildError, FromApiKey, HttpOptions, LenientId, VendorFacts};

        impl ::client_runtime::FromApiKey for Client {
            const VENDOR: &'static ::client_runtime::VendorFacts = &VENDOR;
            fn from_http(base_url: &str, http: ::reqwest::Client) -> Self {
                Self::new_with_client(base_url, http)
            }
        }
    })
}

fn optional_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

fn operation_metas(
    document: &Value,
    bodies: &Bodies,
    vendor: &str,
) -> Result<Vec<TokenStream>, RegenError> {
    let paths = document.get("paths").and_then(Value::as_object);
    spec_ingest::operations(document)
        .into_iter()
        .map(|(path, method, op)| {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let cost = canonical::Cost::of(op);
            let amount = cost.as_ref().map_or(0, |c| c.amount);
            let unit = cost.as_ref().map_or("credit", |c| c.unit.as_str());
            let deprecated = op.get("deprecated") == Some(&Value::Bool(true));
            let method = method.to_ascii_uppercase();
            let shared = paths
                .and_then(|p| p.get(path))
                .and_then(|item| item.get("parameters"));
            let params = parameters(document, shared, op.get("parameters"));
            // progenitor names the builder by the naming rule; a miss would silently leave the
            // operation without body types, so it is an error.
            let builder = spec_ingest::rust_names::type_name(id);
            let Some((success, error)) = bodies.get(&builder).cloned() else {
                return Err(RegenError::Generate {
                    vendor: vendor.to_owned(),
                    operation: Some(id.to_owned()),
                    message: format!(
                        "internal error: progenitor's output has no builder `{builder}` for this operation"
                    ),
                });
            };
            let reencode = |ty: Option<syn::Type>| match ty {
                Some(ty) => quote!(::std::option::Option::Some(::client_runtime::reencode::<#ty>)),
                None => quote!(::std::option::Option::None),
            };
            let (success, error) = (reencode(success), reencode(error));
            Ok(quote! {
                ::client_runtime::OperationMeta {
                    operation_id: #id,
                    method: #method,
                    path: #path,
                    cost: #amount,
                    cost_unit: #unit,
                    deprecated: #deprecated,
                    params: &[#(#params),*],
                    bodies: ::client_runtime::BodyTypes { success: #success, error: #error },
                }
            })
        })
        .collect()
}

/// The operation's parameters (path-level ones first, overridden by the operation's own).
fn parameters(document: &Value, shared: Option<&Value>, own: Option<&Value>) -> Vec<TokenStream> {
    let resolve = |p: &Value| -> Option<Value> {
        match p
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(pointer) => document.pointer(pointer).cloned(),
            None => Some(p.clone()),
        }
    };
    let mut found: Vec<(String, String, bool)> = Vec::new();
    for list in [shared, own].into_iter().flatten() {
        for p in list.as_array().into_iter().flatten().filter_map(resolve) {
            let (Some(name), Some(location)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let required = p.get("required") == Some(&Value::Bool(true)) || location == "path";
            found.retain(|(n, l, _)| !(n == name && l == location));
            found.push((name.to_owned(), location.to_owned(), required));
        }
    }
    found
        .into_iter()
        .filter_map(|(name, location, required)| {
            let location = match location.as_str() {
                "path" => quote!(::client_runtime::ParamIn::Path),
                "query" => quote!(::client_runtime::ParamIn::Query),
                "header" => quote!(::client_runtime::ParamIn::Header),
                _ => return None,
            };
            Some(quote! {
                ::client_runtime::ParamMeta { name: #name, location: #location, required: #required }
            })
        })
        .collect()
}

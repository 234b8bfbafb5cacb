//! An operation called by its id with string arguments, answering status, headers and the body
//! bytes undecoded — for callers that read the body themselves, once (the unified client's
//! normalizers), where the typed builders would decode it into the generated types first.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::HeaderMap;

use crate::{OperationMeta, ParamIn, ParamMeta, VendorFacts};

/// Everything but RFC 3986's unreserved characters is escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A response, whatever its status.
#[derive(Debug, Clone)]
pub struct RawReply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

/// Why a raw call could not be made or answered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    #[error("{vendor} has no operation `{operation}`")]
    UnknownOperation {
        vendor: &'static str,
        operation: String,
    },
    #[error("{operation} has no parameter `{param}` (it takes: {known})")]
    UnknownParam {
        operation: &'static str,
        param: String,
        known: String,
    },
    #[error("{operation} needs the parameter `{param}`")]
    MissingParam {
        operation: &'static str,
        param: &'static str,
    },
    #[error("`{0}` is not a valid base URL")]
    InvalidUrl(String),
    /// No response came back (connection, TLS, timeout), or its body broke off.
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
}

/// One call being put together.
#[derive(Debug, Clone)]
pub struct RawCall<'a> {
    http: &'a reqwest::Client,
    base_url: &'a str,
    operation: &'static OperationMeta,
    args: Vec<(&'static ParamMeta, String)>,
}

impl VendorFacts {
    /// Starts a call of `operation_id` through `http` (built by [`VendorFacts::http_client`])
    /// against `base_url`.
    pub fn call<'a>(
        &self,
        http: &'a reqwest::Client,
        base_url: &'a str,
        operation_id: &str,
    ) -> Result<RawCall<'a>, CallError> {
        let operation =
            self.operation(operation_id)
                .ok_or_else(|| CallError::UnknownOperation {
                    vendor: self.name,
                    operation: operation_id.to_owned(),
                })?;
        Ok(RawCall {
            http,
            base_url,
            operation,
            args: Vec::new(),
        })
    }
}

impl RawCall<'_> {
    /// Sets a documented parameter.
    pub fn arg(mut self, name: &str, value: impl Into<String>) -> Result<Self, CallError> {
        let op = self.operation;
        let param = op.param(name).ok_or_else(|| CallError::UnknownParam {
            operation: op.operation_id,
            param: name.to_owned(),
            known: op
                .params
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        self.args.retain(|(p, _)| p.name != name);
        self.args.push((param, value.into()));
        Ok(self)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(p, _)| p.name == name)
            .map(|(_, v)| v.as_str())
    }

    /// The request this call sends.
    pub fn request(&self) -> Result<reqwest::Request, CallError> {
        let op = self.operation;
        for p in op.params.iter().filter(|p| p.required) {
            if self.value(p.name).is_none() {
                return Err(CallError::MissingParam {
                    operation: op.operation_id,
                    param: p.name,
                });
            }
        }
        let mut url = self.base_url.trim_end_matches('/').to_owned();
        let mut rest = op.path;
        while let Some(open) = rest.find('{') {
            url.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            let name = &rest[open + 1..close];
            let value = self.value(name).unwrap_or_default();
            let _ = write!(url, "{}", utf8_percent_encode(value, SEGMENT));
            rest = rest.get(close + 1..).unwrap_or("");
        }
        url.push_str(rest);
        let url = reqwest::Url::parse(&url)
            .map_err(|_| CallError::InvalidUrl(self.base_url.to_owned()))?;
        let method = reqwest::Method::from_bytes(op.method.as_bytes())
            .map_err(|_| CallError::InvalidUrl(self.base_url.to_owned()))?;
        let query: Vec<(&str, &str)> = self
            .args
            .iter()
            .filter(|(p, _)| p.location == ParamIn::Query)
            .map(|(p, v)| (p.name, v.as_str()))
            .collect();
        let mut builder = self
            .http
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        for (p, v) in self
            .args
            .iter()
            .filter(|(p, _)| p.location == ParamIn::Header)
        {
            builder = builder.header(p.name, v.as_str());
        }
        Ok(builder.build()?)
    }

    /// Sends the call and reads the whole body.
    pub async fn send(self) -> Result<RawReply, CallError> {
        let request = self.request()?;
        let response = self.http.execute(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok(RawReply {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Auth, CreditHeaders};

    const FACTS: VendorFacts = VendorFacts {
        name: "probe",
        display_name: "Probe",
        base_url: "https://api.example.com",
        auth: Auth::Bearer,
        credit_headers: CreditHeaders {
            remaining: None,
            used: None,
        },
        operations: &[OperationMeta {
            operation_id: "get_highlight",
            method: "GET",
            path: "/v1/highlights/{highlightId}/items",
            cost: 1,
            cost_unit: "credit",
            deprecated: false,
            params: &[
                ParamMeta {
                    name: "highlightId",
                    location: ParamIn::Path,
                    required: true,
                },
                ParamMeta {
                    name: "cursor",
                    location: ParamIn::Query,
                    required: false,
                },
            ],
            bodies: crate::BodyTypes {
                success: None,
                error: None,
            },
        }],
        openapi_document: "{}",
    };

    #[test]
    fn path_arguments_are_escaped_and_query_arguments_encoded() {
        let http = reqwest::Client::new();
        let call = FACTS
            .call(&http, "https://api.example.com/", "get_highlight")
            .and_then(|c| c.arg("highlightId", "a/b c"))
            .and_then(|c| c.arg("cursor", "x&y=1"))
            .unwrap_or_else(|e| panic!("{e}"));
        let request = call.request().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            request.url().as_str(),
            "https://api.example.com/v1/highlights/a%2Fb%20c/items?cursor=x%26y%3D1"
        );
        assert_eq!(request.method(), reqwest::Method::GET);
    }

    #[test]
    fn unknown_and_missing_parameters_are_named() {
        let http = reqwest::Client::new();
        let err = FACTS
            .call(&http, "https://x", "get_highlight")
            .and_then(|c| c.arg("nope", "1"))
            .expect_err("unknown");
        assert!(err.to_string().contains("highlightId, cursor"), "{err}");
        let err = FACTS
            .call(&http, "https://x", "get_highlight")
            .and_then(|c| c.request())
            .expect_err("missing");
        assert!(
            err.to_string()
                .contains("needs the parameter `highlightId`"),
            "{err}"
        );
        let err = FACTS
            .call(&http, "https://x", "other")
            .expect_err("no such operation");
        assert!(
            err.to_string().contains("probe has no operation `other`"),
            "{err}"
        );
        let err = FACTS
            .call(&http, "not a url", "get_highlight")
            .and_then(|c| c.arg("highlightId", "1"))
            .and_then(|c| c.request())
            .expect_err("bad base");
        assert!(matches!(err, CallError::InvalidUrl(_)), "{err}");
    }
}

//! The faults the mock injects on demand, and what they do to a documented body.

use serde_json::Value;

/// A fault to inject into a vendor's responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// 429 with `Retry-After: <seconds>`.
    RateLimited { retry_after_seconds: u64 },
    /// 500 with the vendor's documented 500 body when it has one.
    ServerError,
    /// 402, the vendor's out-of-credits answer.
    OutOfCredits,
    /// The documented body cut in half.
    Truncated,
    /// An HTML page instead of JSON.
    WrongContentType,
    /// The documented body departing from its documentation: the last field of every object
    /// left out (ids excepted) and an undocumented field added, as vendors do without notice.
    Drifted,
}

impl Fault {
    /// The name `--fault` takes.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::RateLimited { .. } => "429",
            Fault::ServerError => "500",
            Fault::OutOfCredits => "402",
            Fault::Truncated => "truncated",
            Fault::WrongContentType => "wrong-content-type",
            Fault::Drifted => "drift",
        }
    }
}

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "429" | "rate-limited" => Fault::RateLimited {
                retry_after_seconds: 1,
            },
            "500" | "server-error" => Fault::ServerError,
            "402" | "out-of-credits" => Fault::OutOfCredits,
            "truncated" => Fault::Truncated,
            "wrong-content-type" => Fault::WrongContentType,
            "drift" | "drifted" => Fault::Drifted,
            other => {
                return Err(format!(
                    "unknown fault `{other}` (429, 500, 402, truncated, wrong-content-type, drift)"
                ));
            }
        })
    }
}

/// The first half of `body`'s text, cut on a character boundary.
pub(super) fn truncated(body: &Value) -> Vec<u8> {
    let text = serde_json::to_string(body).unwrap_or_default();
    let half = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    text.as_bytes()[..half].to_vec()
}

/// Leaves out the last field of every object below `value`, unless it names an id.
pub(super) fn drift(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let last = map.keys().next_back().cloned();
            if let Some(key) = last.filter(|k| {
                let k = k.to_ascii_lowercase();
                !(k == "id" || k == "pk" || k.ends_with("id") || k == "items")
            }) && map.len() > 1
            {
                map.shift_remove(&key);
            }
            map.values_mut().for_each(drift);
        }
        Value::Array(items) => items.iter_mut().for_each(drift),
        _ => {}
    }
}

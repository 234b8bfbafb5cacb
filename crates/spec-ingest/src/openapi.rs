//! A vendor's published OpenAPI documents, as they are: JSON or YAML, 3.0 or 3.1, one file or
//! several. Files with an `openapi` version are documents, merged like pages; any other file is
//! a fragment that documents refer to (`$ref: schemas/pet.yaml`, `common.yaml#/Pet`). References
//! between the files are bundled: a reference into another document's components becomes local
//! (the documents are merged), a referenced fragment becomes a component of its own.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::ErrorKind;
use crate::fault::{PageFault, PageNote};
use crate::names;
use crate::origin::Origin;
use crate::source::Page;
use crate::yaml::{self, Positions, escape_segment};

/// One parsed file.
struct File {
    value: Value,
    positions: Positions,
    document: bool,
}

/// Reads every file; returns the documents, bundled, each with its origin.
pub fn read_documents(
    pages: &[Page],
    notes: &mut Vec<PageNote>,
) -> Result<Vec<(Value, Origin)>, PageFault> {
    let mut files = Vec::with_capacity(pages.len());
    for (index, page) in pages.iter().enumerate() {
        let (value, positions) = yaml::parse(&page.text).map_err(|e| {
            PageFault::new(
                ErrorKind::Yaml,
                index,
                e.offset,
                format!("not a JSON or YAML document: {}", e.message),
            )
        })?;
        let version = value.get("openapi").and_then(Value::as_str);
        if let Some(v) = value.get("swagger").and_then(Value::as_str) {
            return Err(PageFault::new(
                ErrorKind::Unsupported,
                index,
                positions.offset("/swagger").unwrap_or(0),
                format!(
                    "Swagger {v} is not OpenAPI 3; convert it first (e.g. with swagger2openapi) and keep the converted document here"
                ),
            ));
        }
        if let Some(v) = version
            && !v.starts_with("3.")
        {
            return Err(PageFault::new(
                ErrorKind::Unsupported,
                index,
                positions.offset("/openapi").unwrap_or(0),
                format!("OpenAPI {v} is not supported; documents must be OpenAPI 3.0 or 3.1"),
            ));
        }
        files.push(File {
            document: version.is_some(),
            value,
            positions,
        });
    }
    if !files.iter().any(|f| f.document) {
        return Err(PageFault::new(
            ErrorKind::NoSpec,
            0,
            0,
            "no file here is an OpenAPI document (none has an `openapi` version)",
        ));
    }
    let mut out = Vec::new();
    for index in 0..files.len() {
        if !files[index].document {
            continue;
        }
        let mut doc = files[index].value.clone();
        Bundler {
            pages,
            files: &files,
            notes,
            imported: BTreeMap::new(),
        }
        .bundle(index, &mut doc)?;
        let origin = Origin {
            page: index,
            yaml_offset: 0,
            positions: files[index].positions.clone(),
        };
        out.push((doc, origin));
    }
    for (index, _) in files.iter().enumerate().filter(|(_, f)| !f.document) {
        notes.push(PageNote::at(
            index,
            0,
            format!(
                "{} is read only where a document refers to it",
                pages[index].path
            ),
        ));
    }
    Ok(out)
}

/// Resolves `path` (relative to the file at `from`) to a file of the folder.
fn resolve(pages: &[Page], from: usize, path: &str) -> Option<usize> {
    let mut parts: Vec<&str> = pages[from].path.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let wanted = parts.join("/");
    pages.iter().position(|p| p.path == wanted)
}

struct Bundler<'a> {
    pages: &'a [Page],
    files: &'a [File],
    notes: &'a mut Vec<PageNote>,
    /// (file, pointer) already imported as a component → its name.
    imported: BTreeMap<(usize, String), String>,
}

impl Bundler<'_> {
    /// Makes every reference of document `index` local.
    fn bundle(mut self, index: usize, doc: &mut Value) -> Result<(), PageFault> {
        let mut refs = Vec::new();
        collect_refs(doc, "", &mut refs);
        for (pointer, reference) in refs {
            if reference.starts_with('#') {
                continue;
            }
            let local = self.localize(index, &reference, doc).map_err(|message| {
                let offset = self.files[index].positions.offset(&pointer).unwrap_or(0);
                PageFault::new(ErrorKind::DanglingRef, index, offset, message)
            })?;
            if let Some(node) = doc.pointer_mut(&pointer) {
                *node = Value::String(local);
            }
        }
        Ok(())
    }

    /// The local form of `reference` (made in file `from`), importing fragments into `doc`.
    fn localize(
        &mut self,
        from: usize,
        reference: &str,
        doc: &mut Value,
    ) -> Result<String, String> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if path.starts_with("http://") || path.starts_with("https://") {
            return Err(format!(
                "`$ref` `{reference}` points outside the vendor's folder; save that file beside the document"
            ));
        }
        let file = resolve(self.pages, from, path).ok_or_else(|| {
            format!("`$ref` `{reference}` points at a file that is not in the vendor's folder")
        })?;
        let target = &self.files[file];
        if target.value.pointer(fragment).is_none() {
            return Err(format!(
                "`$ref` `{reference}` points at nothing in that file"
            ));
        }
        if target.document && fragment.starts_with("/components/") {
            // The documents are merged, so the component is local.
            return Ok(format!("#{fragment}"));
        }
        if let Some(name) = self.imported.get(&(file, fragment.to_owned())) {
            return Ok(format!("#/components/schemas/{}", escape_segment(name)));
        }
        let stem = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .split('.')
            .next()
            .unwrap_or(path);
        let tail = fragment.rsplit('/').next().unwrap_or_default();
        let base = names::pascal(&format!("{stem} {tail}"));
        let schemas = doc["components"]["schemas"]
            .as_object()
            .map(|s| s.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        let mut name = base.clone();
        let mut n = 2;
        while schemas.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.imported
            .insert((file, fragment.to_owned()), name.clone());
        let mut value = target
            .value
            .pointer(fragment)
            .cloned()
            .unwrap_or(Value::Null);
        // The fragment's own references are relative to its file: bundle them too.
        let own_name = self.pages[file].path.rsplit('/').next().unwrap_or_default();
        let mut refs = Vec::new();
        collect_refs(&value, "", &mut refs);
        for (pointer, inner) in refs {
            let absolute = if let Some(local) = inner.strip_prefix('#') {
                format!("{own_name}#{local}")
            } else {
                inner.clone()
            };
            let local = self.localize(file, &absolute, doc)?;
            if let Some(node) = value.pointer_mut(&pointer) {
                *node = Value::String(local);
            }
        }
        doc["components"]["schemas"][&name] = value;
        self.notes.push(PageNote::at(
            file,
            target.positions.offset(fragment).unwrap_or(0),
            format!("bundled `{reference}` as the component `{name}`"),
        ));
        Ok(format!("#/components/schemas/{}", escape_segment(&name)))
    }
}

/// Every `$ref` below `value`: (pointer of the `$ref` string, its text).
fn collect_refs(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{pointer}/{}", escape_segment(k));
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push((p, r.clone())),
                    _ => collect_refs(v, &p, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_refs(v, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(files: &[(&str, &str)]) -> Result<(Vec<Value>, Vec<PageNote>), PageFault> {
        let pages: Vec<Page> = files
            .iter()
            .map(|(path, text)| Page::new(format!("specs/v/{path}"), *text))
            .collect();
        let mut notes = Vec::new();
        let docs = read_documents(&pages, &mut notes)?;
        Ok((docs.into_iter().map(|(d, _)| d).collect(), notes))
    }

    #[test]
    fn references_between_files_are_bundled() {
        let (docs, notes) = read(&[
            (
                "api.yaml",
                "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: 'schemas/pet.yaml'\n        '404':\n          description: no\n          content:\n            application/json:\n              schema:\n                $ref: 'errors.json#/components/schemas/Error'\n",
            ),
            ("errors.json", "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"E\", \"version\": \"1\"}, \"paths\": {}, \"components\": {\"schemas\": {\"Error\": {\"type\": \"object\"}}}}"),
            ("schemas/pet.yaml", "type: object\nproperties:\n  owner:\n    $ref: '#/$defs/Owner'\n$defs:\n  Owner:\n    type: object\n"),
        ])
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(docs.len(), 2);
        let api = &docs[0];
        let get = &api["paths"]["/pets"]["get"]["responses"];
        assert_eq!(
            get["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert_eq!(
            get["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
        assert_eq!(
            api["components"]["schemas"]["Pet"]["properties"]["owner"]["$ref"],
            "#/components/schemas/PetOwner"
        );
        assert!(api["components"]["schemas"]["PetOwner"].is_object());
        assert!(
            notes
                .iter()
                .any(|n| n.message.contains("as the component `Pet`"))
        );
    }

    #[test]
    fn swagger_and_missing_files_are_located_errors() {
        let err = read(&[("api.json", "{\"swagger\": \"2.0\", \"paths\": {}}")]).expect_err("2.0");
        assert!(err.message.contains("Swagger 2.0"), "{}", err.message);
        let err = read(&[(
            "api.yaml",
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'gone.yaml'}\n",
        )])
        .expect_err("missing file");
        assert_eq!(err.kind, ErrorKind::DanglingRef);
        assert!(
            err.message.contains("not in the vendor's folder"),
            "{}",
            err.message
        );
        assert!(err.offset > 0);
        let _ = json!(null);
    }
}

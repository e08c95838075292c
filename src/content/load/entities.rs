//! `entities.toml` and the entities a facts file declares for its story:
//! ids, names and the names they must not share.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{ENTITIES_FILE, toml_diagnostic};
use crate::content::diagnostic::{Diagnostic, Diagnostics, Lines};
use crate::content::model::{Entity, is_slug};
use crate::text;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitiesFile {
    #[serde(default)]
    entity: Vec<Spanned<RawEntity>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntity {
    id: Spanned<String>,
    name: String,
    kind: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    description: Option<String>,
}

/// Folded name → (entity id, where it is defined), so two entities in one
/// scope never claim one name.
pub(super) type Names = HashMap<Vec<String>, (String, String)>;

/// The names taken in one scope: those of the shared entities (borrowed,
/// when the scope is a story) and those defined in the scope itself.
pub(super) struct ScopedNames<'a> {
    pub(super) shared: Option<&'a Names>,
    pub(super) own: Names,
}

impl ScopedNames<'_> {
    fn get(&self, key: &[String]) -> Option<&(String, String)> {
        self.own
            .get(key)
            .or_else(|| self.shared.and_then(|s| s.get(key)))
    }
}

/// The shared entities, checked; `None` when the file is not valid TOML
/// (and so none of them can be known).
pub(super) fn parse_entities_file(
    path: &Path,
    source: &str,
    names: &mut ScopedNames,
    diags: &mut Diagnostics,
) -> Option<Vec<Entity>> {
    let file: EntitiesFile = match toml::from_str(source) {
        Ok(f) => f,
        Err(err) => {
            diags.push(toml_diagnostic(path, source, 0, &err));
            return None;
        }
    };
    let scope = Scope {
        story: None,
        shared: &HashSet::new(),
    };
    Some(check_entities(
        path,
        source,
        file.entity,
        &scope,
        names,
        diags,
    ))
}

/// Where entities are defined: shared (`story` is `None`) or a story's own,
/// whose ids must not hide a shared entity's.
pub(super) struct Scope<'a> {
    pub(super) story: Option<&'a str>,
    pub(super) shared: &'a HashSet<String>,
}

/// Validated entities; `names` holds the names already taken in scope.
pub(super) fn check_entities(
    path: &Path,
    source: &str,
    raws: Vec<Spanned<RawEntity>>,
    scope: &Scope,
    names: &mut ScopedNames,
    diags: &mut Diagnostics,
) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let lines = Lines::of(source);
    for raw in raws {
        let raw = raw.into_inner();
        let id = raw.id.get_ref().clone();
        let here = raw.id.span().start;
        let line = lines.line(here);
        if let Some(problem) = id_problem(path, &id, &ids, scope) {
            diags.push(problem.at(source, here));
            continue;
        }
        ids.insert(id.clone(), line);
        let aliases = check_names(
            path,
            source,
            &id,
            Named {
                name: &raw.name,
                at: here,
                line,
            },
            raw.aliases,
            names,
            diags,
        );
        out.push(Entity {
            id,
            story: scope.story.map(str::to_string),
            name: raw.name,
            kind: raw.kind,
            aliases,
            description: raw.description,
        });
    }
    out
}

/// Why entity id `id` of `path` cannot be used, if it cannot: not a slug,
/// taken earlier in the same file (`ids`, with their lines), or already a
/// shared entity's. The caller places the diagnostic.
fn id_problem(
    path: &Path,
    id: &str,
    ids: &HashMap<String, usize>,
    scope: &Scope,
) -> Option<Diagnostic> {
    if !is_slug(id) {
        return Some(
            Diagnostic::new(path, format!("entity id `{id}` is not a slug"))
                .help("use lowercase letters, digits and dashes"),
        );
    }
    if let Some(first) = ids.get(id) {
        return Some(
            Diagnostic::new(path, format!("duplicate entity id `{id}`"))
                .note(format!("first defined at line {first}"))
                .help("give each entity its own id, or merge the two"),
        );
    }
    scope.shared.contains(id).then(|| {
        Diagnostic::new(path, format!("entity id `{id}` is already a shared entity"))
            .note(format!("`{id}` is defined in {ENTITIES_FILE}"))
            .help("refer to the shared entity instead, or give this one another id")
    })
}

/// An entity's name, its byte offset and its line in the file.
struct Named<'a> {
    name: &'a str,
    at: usize,
    line: usize,
}

/// The aliases of entity `id` worth keeping; a name another entity in
/// scope already has is reported.
fn check_names(
    path: &Path,
    source: &str,
    id: &str,
    name: Named<'_>,
    aliases: Vec<Spanned<String>>,
    names: &mut ScopedNames,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let line = name.line;
    let all =
        std::iter::once((name.name.to_string(), name.at)).chain(aliases.into_iter().map(|a| {
            let at = a.span().start;
            (a.into_inner(), at)
        }));
    let mut kept = Vec::new();
    for (i, (name, at)) in all.enumerate() {
        let key = text::folded_words(&name);
        if key.is_empty() {
            diags.push(
                Diagnostic::new(
                    path,
                    format!("alias `{name}` of `{id}` has no letters or digits"),
                )
                .at(source, at)
                .help("remove it"),
            );
            continue;
        }
        match names.get(&key) {
            Some((other, _)) if other == id => continue,
            Some((other, place)) => {
                diags.push(
                    Diagnostic::new(path, format!("`{name}` names both `{other}` and `{id}`"))
                        .at(source, at)
                        .note(format!("`{other}` is defined at {place}"))
                        .help("an alias must name one entity: remove it from one of them"),
                );
                continue;
            }
            None => {
                let place = format!("{}:{line}", path.display());
                names.own.insert(key, (id.to_string(), place));
            }
        }
        if i > 0 {
            kept.push(name);
        }
    }
    kept
}

"""Stories: the mentions of one real-world event, so that repetition is not read as escalation.

Several articles (or one article twice) reporting the same act give several coded events; counting them as
separate events would make a widely reported meeting look like a surge of meetings. `update_stories` groups
events into stories, all in DuckDB SQL:

1. Candidates share the type, the ordered dyad (source_code, target_code) and `negated`. Undated events
   (no event_day) are only grouped with undated events of the same article.
2. Time: within a candidate group, ordered by day, a gap of more than `window_days` between consecutive events
   starts a new session; a session is then cut into chunks of `window_days + 1` days from its first day, so a
   story never spans more than the window (a daily stream of shelling is one story per window, not one for
   the whole war).
3. Evidence: inside a chunk, two events are linked when they share the trigger (case-folded) or the Jaccard
   similarity of their evidence word sets is at least `MIN_JACCARD`; a story is a connected component of
   these links (label propagation: each pass gives every event the smallest label of its neighbours).

The story id is "s-" + the first 16 hex digits of md5(earliest member event id) (earliest by day, then
article, then offset), so re-running over the same events gives the same ids; the story's mode and evidence
are the earliest member's. Rows are written ordered by dyad and day, so DuckDB's per-row-group min/max
statistics let a dyad series read only the few row groups holding that dyad. `num_sources` counts distinct
outlets among the places the member articles were seen (`article_sources`): the URL's host when there is a
URL, else the source locator.
"""

from __future__ import annotations

from quanhe.store.database import Store

MIN_JACCARD = 0.3

# Stores created before stories carried the mode of their earliest mention (the series scores REQUEST as a
# demand by it) gain the column here.
_MODE_COLUMN = "ALTER TABLE stories ADD COLUMN IF NOT EXISTS mode VARCHAR"

_CANDIDATES = """
CREATE OR REPLACE TEMP TABLE _story_events AS
WITH ev AS (
    SELECT e.id, e.article_id, e.type, e.mode, e.source_code, e.target_code, coalesce(e.negated, false) AS negated,
           e.event_day AS day, e.start_char, e.evidence, lower(coalesce(e.trigger, '')) AS trig,
           list_distinct(list_filter(regexp_split_to_array(lower(coalesce(e.evidence, '')), '[^\\p{L}\\p{N}]+'),
                                     t -> t <> '')) AS tokens,
           CASE WHEN e.event_day IS NULL THEN e.article_id END AS undated_article
    FROM events e),
gaps AS (
    SELECT *, coalesce(day - lag(day) OVER key_order > $window, false)::INTEGER AS new_session
    FROM ev
    WINDOW key_order AS (PARTITION BY type, source_code, target_code, negated, undated_article ORDER BY day, id)),
sessions AS (
    SELECT *, sum(new_session) OVER (PARTITION BY type, source_code, target_code, negated, undated_article
                                     ORDER BY day, id ROWS UNBOUNDED PRECEDING) AS session
    FROM gaps),
chunks AS (
    SELECT *, coalesce((day - min(day) OVER (PARTITION BY type, source_code, target_code, negated,
                                                         undated_article, session)) // ($window + 1), 0) AS chunk
    FROM sessions)
SELECT id, article_id, type, mode, source_code, target_code, negated, day, start_char, evidence, trig, tokens,
       dense_rank() OVER (ORDER BY type, source_code, target_code, negated, undated_article, session, chunk)
           AS grp
FROM chunks
"""

_LINKS = """
CREATE OR REPLACE TEMP TABLE _story_links AS
SELECT x.id AS a, y.id AS b
FROM _story_events x JOIN _story_events y ON x.grp = y.grp AND x.id <> y.id
WHERE (x.trig <> '' AND x.trig = y.trig)
   OR (len(list_intersect(x.tokens, y.tokens)) > 0 AND len(list_intersect(x.tokens, y.tokens))
       >= $min_jaccard * len(list_distinct(list_concat(x.tokens, y.tokens))))
"""

_PROPAGATE = """
UPDATE _story_labels SET label = n.label
FROM (SELECT l.a AS id, min(o.label) AS label
      FROM _story_links l JOIN _story_labels o ON o.id = l.b GROUP BY l.a) n
WHERE _story_labels.id = n.id AND n.label < _story_labels.label
"""

_MEMBERS = """
CREATE OR REPLACE TEMP TABLE _story_members AS
SELECT s.*, l.label,
       's-' || substr(md5(arg_min(s.id, (s.day, s.article_id, s.start_char, s.id)) OVER (PARTITION BY l.label)),
                      1, 16) AS story_id
FROM _story_events s JOIN _story_labels l USING (id)
"""

_WRITE = """
INSERT INTO stories (id, type, mode, source_code, target_code, negated, first_day, last_day, num_mentions,
                     num_articles, num_sources, first_seen, last_seen, evidence)
WITH seen AS (
    SELECT m.story_id,
           count(DISTINCT coalesce(nullif(regexp_extract(src.url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]+)', 1), ''),
                                   src.source)) AS num_sources,
           min(src.seen_at) AS first_seen, max(src.seen_at) AS last_seen
    FROM (SELECT DISTINCT story_id, article_id FROM _story_members) m
    LEFT JOIN article_sources src ON src.article_id = m.article_id
    GROUP BY m.story_id)
SELECT story_id, any_value(type), arg_min(mode, (day, article_id, start_char, id)), any_value(source_code),
       any_value(target_code), any_value(negated), min(day), max(day), count(*), count(DISTINCT article_id),
       any_value(seen.num_sources), any_value(seen.first_seen), any_value(seen.last_seen),
       arg_min(evidence, (day, article_id, start_char, id))
FROM _story_members JOIN seen USING (story_id)
GROUP BY story_id
ORDER BY any_value(source_code), any_value(target_code), min(day)
"""

_ASSIGN = "UPDATE events SET story_id = m.story_id FROM _story_members m WHERE events.id = m.id"


def update_stories(store: Store, window_days: int = 7) -> int:
    """Re-cluster every stored event into stories (replacing the old ones) in one transaction; returns the
    number of stories."""
    if window_days < 0:
        raise ValueError("window_days must be >= 0")
    with store.transaction():
        return cluster_stories(store, window_days)


def cluster_stories(store: Store, window_days: int = 7) -> int:
    """`update_stories` inside the caller's transaction (deleting an article and re-clustering are then one
    change); returns the number of stories."""
    if window_days < 0:
        raise ValueError("window_days must be >= 0")
    con = store.con
    con.execute(_MODE_COLUMN)
    con.execute(_CANDIDATES, {"window": window_days})
    con.execute(_LINKS, {"min_jaccard": MIN_JACCARD})
    con.execute("CREATE OR REPLACE TEMP TABLE _story_labels AS SELECT id, id AS label FROM _story_events")
    while con.execute(_PROPAGATE).fetchone()[0]:
        pass
    con.execute(_MEMBERS)
    con.execute("DELETE FROM stories")
    con.execute(_WRITE)
    con.execute(_ASSIGN)
    count = con.execute("SELECT count(*) FROM stories").fetchone()[0]
    for table in ("_story_events", "_story_links", "_story_labels", "_story_members"):
        con.execute(f"DROP TABLE {table}")
    return count

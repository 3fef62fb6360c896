-- quanhe store, schema version 2. Offsets (start_char, end_char) point into articles.text (the clean text).
-- The rows of sentences, mentions, times, quotes and assessments are numbered (article_id, idx) and written only
-- in the transaction that stores their article, whose key keeps them single: they have no key of their own,
-- since an ART index per table tripled the cost of inserting them and took as much disk as the rows.
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS articles (
    id VARCHAR PRIMARY KEY, source VARCHAR, url VARCHAR, title VARCHAR, published DATE, language VARCHAR,
    raw_text VARCHAR, text VARCHAR, content_hash VARCHAR, authors VARCHAR[], warnings VARCHAR[],
    minhash BLOB, ingested_at TIMESTAMP DEFAULT current_timestamp);

-- Every place an article was seen: its first source, the same text again, or a near-copy linked to it.
CREATE TABLE IF NOT EXISTS article_sources (
    article_id VARCHAR, source VARCHAR, url VARCHAR, relation VARCHAR, similarity DOUBLE,
    seen_at TIMESTAMP DEFAULT current_timestamp, PRIMARY KEY (article_id, source));

CREATE TABLE IF NOT EXISTS sentences (
    article_id VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER, paragraph INTEGER, role VARCHAR);

CREATE TABLE IF NOT EXISTS mentions (
    article_id VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER, text VARCHAR, canonical VARCHAR,
    country VARCHAR, sector VARCHAR, org VARCHAR, code VARCHAR, kind VARCHAR, resolved_by VARCHAR,
    sentence INTEGER, entity INTEGER, part_of INTEGER);

CREATE TABLE IF NOT EXISTS times (
    article_id VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER, text VARCHAR, value VARCHAR,
    precision VARCHAR, sentence INTEGER, anchor VARCHAR);

CREATE TABLE IF NOT EXISTS quotes (
    article_id VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER, text VARCHAR, kind VARCHAR,
    cue VARCHAR, speaker_text VARCHAR, speaker_name VARCHAR, speaker_country VARCHAR, speaker_sector VARCHAR,
    speaker_code VARCHAR, outlet VARCHAR, date VARCHAR, sentence INTEGER);

CREATE TABLE IF NOT EXISTS events (
    id VARCHAR PRIMARY KEY, article_id VARCHAR, type VARCHAR, mode VARCHAR, negated BOOLEAN, modality VARCHAR,
    source_text VARCHAR, source_name VARCHAR, source_country VARCHAR, source_sector VARCHAR, source_code VARCHAR,
    target_text VARCHAR, target_name VARCHAR, target_country VARCHAR, target_sector VARCHAR, target_code VARCHAR,
    date VARCHAR, date_precision VARCHAR, date_from VARCHAR, event_day DATE, trigger VARCHAR,
    sentence INTEGER, start_char INTEGER, end_char INTEGER, evidence VARCHAR, confidence DOUBLE,
    place_text VARCHAR, place_country VARCHAR, speaker_name VARCHAR, story_id VARCHAR);

CREATE TABLE IF NOT EXISTS assessments (
    article_id VARCHAR, idx INTEGER, actor_a VARCHAR, actor_b VARCHAR, polarity VARCHAR, level VARCHAR,
    speaker_name VARCHAR, speaker_country VARCHAR, date VARCHAR, sentence INTEGER, start_char INTEGER,
    end_char INTEGER, evidence VARCHAR, cue VARCHAR);

CREATE TABLE IF NOT EXISTS stories (
    id VARCHAR PRIMARY KEY, type VARCHAR, source_code VARCHAR, target_code VARCHAR, negated BOOLEAN,
    first_day DATE, last_day DATE, num_mentions INTEGER, num_articles INTEGER, num_sources INTEGER,
    first_seen TIMESTAMP, last_seen TIMESTAMP, evidence VARCHAR, mode VARCHAR);

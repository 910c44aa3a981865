import type { Prompt, PromptImportResult, PromptLibraryFile, PromptQuery, PromptSummary, PromptVersion, PromptVersionSummary } from '@trellis/schema';
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { contentKey, fts5Query, namePrefixPattern, nameWords, normalizeContent, normalizeTag, promptVariables, searchTerms, tsQueryText, type PromptContentValue } from './prompt-text.js';
import { isUniqueViolation, present } from './rows.js';
import { writeTransaction, type Dialect } from './statements.js';
import type { Database, PromptVersionsTable } from './tables.js';
import { StoreConflict, type PromptContentInput } from './types.js';

/** A prompt's row as a write reads it (locked on PostgreSQL). */
interface Current {
  id: number;
  latest_version: number;
  deleted_at: string | null;
}

interface VersionMeta {
  note?: string | undefined;
  author?: string | undefined;
  /** When the version was written, when an import carries its original date; now otherwise. */
  createdAt?: string | undefined;
}

/** The columns of a list or search row: the prompt and its latest version. */
interface SummaryRow {
  name: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
  description: string | null;
  tags: string;
  variables: string;
  snippet?: string | null;
}

const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;

/**
 * The prompt library over Kysely, for SqlStore. Writes are read-then-write transactions, as
 * flows' saves are; each keeps the search index (FTS5 on SQLite, a tsvector table on
 * PostgreSQL) in step with the prompt's latest version inside the same transaction.
 */
export class PromptLibrary {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async list(query: PromptQuery = {}): Promise<PromptSummary[]> {
    const limit = Number.isFinite(query.limit) ? Math.min(MAX_LIMIT, Math.max(1, Math.floor(query.limit!))) : DEFAULT_LIMIT;
    const text = query.q?.trim() ?? '';
    const tag = query.tag === undefined ? undefined : normalizeTag(query.tag);
    if (text !== '') return (await this.search(text, tag, limit)).map(toSummary);
    const rows = await this.latest()
      .select(['p.name', 'p.latest_version', 'p.created_at', 'p.updated_at', 'v.description', 'v.tags', 'v.variables'])
      .$if(tag !== undefined, (q) => q.where(this.hasTag(tag!)))
      .orderBy('p.updated_at', 'desc')
      .orderBy('p.name')
      .limit(limit)
      .execute();
    return rows.map(toSummary);
  }

  async get(name: string): Promise<Prompt | undefined> {
    const row = await this.latest()
      .select(['p.name', 'p.latest_version', 'p.created_at', 'p.updated_at', 'v.description', 'v.tags', 'v.variables', 'v.template'])
      .where('p.name', '=', name)
      .executeTakeFirst();
    return row && { ...toSummary(row), template: row.template };
  }

  async create(input: PromptContentInput & { name: string }): Promise<PromptVersion> {
    return this.writing(async (trx) => {
      const current = await this.lock(trx, input.name);
      if (current && current.deleted_at === null) throw new StoreConflict(`a prompt named "${input.name}" already exists; save a new version of it instead`);
      const content = normalizeContent(input);
      const version = await this.append(trx, input.name, current, content, { note: input.note, author: input.author });
      await this.index(trx, version.id, input.name, content);
      return version.record;
    });
  }

  async update(name: string, input: PromptContentInput & { expectVersion?: number }): Promise<PromptVersion | undefined> {
    return this.writing(async (trx) => {
      const current = await this.lock(trx, name);
      if (!current || current.deleted_at !== null) return undefined;
      if (input.expectVersion !== undefined && input.expectVersion !== current.latest_version) {
        throw new StoreConflict(`prompt "${name}" is at version ${current.latest_version}, but the save expected version ${input.expectVersion}`);
      }
      const latest = await trx.selectFrom('prompt_versions').selectAll().where('name', '=', name).where('version', '=', current.latest_version).executeTakeFirstOrThrow();
      const content = normalizeContent(input);
      if (contentKey(content) === contentKey(contentOf(latest))) return toVersion(latest);
      const version = await this.append(trx, name, current, content, { note: input.note, author: input.author });
      await this.index(trx, version.id, name, content);
      return version.record;
    });
  }

  async delete(name: string): Promise<boolean> {
    return writeTransaction(this.db, this.dialect, async (trx) => {
      const deleted = await trx
        .updateTable('prompts')
        .set({ deleted_at: new Date().toISOString() })
        .where('name', '=', name)
        .where('deleted_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!deleted) return false;
      await sql`delete from prompts_fts where ${sql.raw(this.dialect === 'sqlite' ? 'rowid' : 'id')} = ${deleted.id}`.execute(trx);
      return true;
    });
  }

  async versions(name: string): Promise<PromptVersionSummary[]> {
    const rows = await this.db
      .selectFrom('prompt_versions as v')
      .innerJoin('prompts as p', 'p.name', 'v.name')
      .select(['v.name', 'v.version', 'v.created_at', 'v.note', 'v.author'])
      .where('v.name', '=', name)
      .where('p.deleted_at', 'is', null)
      .orderBy('v.version', 'desc')
      .execute();
    return rows.map((row) => ({ name: row.name, version: row.version, createdAt: row.created_at, ...present({ note: row.note, author: row.author }) }));
  }

  async version(name: string, version: number): Promise<PromptVersion | undefined> {
    const row = await this.db.selectFrom('prompt_versions').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst();
    return row && toVersion(row);
  }

  async exportAll(): Promise<PromptLibraryFile['prompts']> {
    const rows = await this.db
      .selectFrom('prompt_versions as v')
      .innerJoin('prompts as p', 'p.name', 'v.name')
      .selectAll('v')
      .where('p.deleted_at', 'is', null)
      .orderBy('v.name')
      .orderBy('v.version')
      .execute();
    const prompts: PromptLibraryFile['prompts'] = [];
    for (const row of rows) {
      if (prompts.at(-1)?.name !== row.name) prompts.push({ name: row.name, versions: [] });
      const { name: _name, variables: _variables, ...version } = toVersion(row);
      prompts.at(-1)!.versions.push(version);
    }
    return prompts;
  }

  async importAll(prompts: PromptLibraryFile['prompts']): Promise<PromptImportResult> {
    return this.writing(async (trx) => {
      const result: PromptImportResult = { created: [], updated: [], unchanged: [] };
      for (const prompt of prompts) {
        const versions = [...prompt.versions].sort((a, b) => a.version - b.version);
        let current = await this.lock(trx, prompt.name);
        const existed = current !== undefined && current.deleted_at === null;
        // A version is new when none of the prompt's versions has its content: importing a file twice changes nothing.
        const known = new Set<string>();
        if (existed) {
          const stored = await trx.selectFrom('prompt_versions').select(['template', 'description', 'tags']).where('name', '=', prompt.name).execute();
          for (const row of stored) known.add(contentKey(contentOf(row)));
        }
        let last: { id: number; content: PromptContentValue } | undefined;
        for (const version of versions) {
          const content = normalizeContent(version);
          const key = contentKey(content);
          if (existed && known.has(key)) continue;
          known.add(key);
          const written = await this.append(trx, prompt.name, current, content, { note: version.note, author: version.author, createdAt: isoOrNow(version.createdAt) });
          current = { id: written.id, latest_version: written.record.version, deleted_at: null };
          last = { id: written.id, content };
        }
        if (last) await this.index(trx, last.id, prompt.name, last.content);
        (!existed ? result.created : last ? result.updated : result.unchanged).push(prompt.name);
      }
      return result;
    });
  }

  // Writing.

  /** A write transaction; two first writes of one name race for its key, and the loser's retry sees the winner. */
  private async writing<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeTransaction(this.db, this.dialect, work);
      } catch (error) {
        if (attempt >= 5 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  private lock(trx: Kysely<Database>, name: string): Promise<Current | undefined> {
    return (
      trx
        .selectFrom('prompts')
        .select(['id', 'latest_version', 'deleted_at'])
        .where('name', '=', name)
        // Writes of one prompt queue on its row (SQLite has one writer anyway).
        .$if(this.dialect === 'postgres', (q) => q.forUpdate())
        .executeTakeFirst()
    );
  }

  /** Writes the next version of a prompt, creating (or bringing back) the prompt. The caller indexes it. */
  private async append(trx: Kysely<Database>, name: string, current: Current | undefined, content: PromptContentValue, meta: VersionMeta): Promise<{ id: number; record: PromptVersion }> {
    const now = new Date().toISOString();
    // A deleted prompt's versions stay for the runs that pinned them, so its numbering goes on.
    const version = (current?.latest_version ?? 0) + 1;
    let id: number;
    if (current) {
      const revived = current.deleted_at !== null ? { created_at: now, deleted_at: null } : {};
      await trx.updateTable('prompts').set({ latest_version: version, updated_at: now, ...revived }).where('id', '=', current.id).execute();
      id = current.id;
    } else {
      const inserted = await trx.insertInto('prompts').values({ name, latest_version: version, created_at: now, updated_at: now, deleted_at: null }).returning('id').executeTakeFirstOrThrow();
      id = Number(inserted.id);
    }
    const row: Selectable<PromptVersionsTable> = {
      name,
      version,
      template: content.template,
      description: content.description ?? null,
      tags: JSON.stringify(content.tags),
      variables: JSON.stringify(promptVariables(content.template)),
      note: meta.note ?? null,
      author: meta.author ?? null,
      created_at: meta.createdAt ?? now,
    };
    await trx.insertInto('prompt_versions').values(row).execute();
    return { id, record: toVersion(row) };
  }

  /** Puts a prompt's latest content in the search index, replacing what was there. */
  private async index(trx: Kysely<Database>, id: number, name: string, content: PromptContentValue): Promise<void> {
    const tags = content.tags.join(' ');
    const description = content.description ?? '';
    if (this.dialect === 'sqlite') {
      await sql`delete from prompts_fts where rowid = ${id}`.execute(trx);
      await sql`insert into prompts_fts (rowid, name, tags, description, template) values (${id}, ${name}, ${tags}, ${description}, ${content.template})`.execute(trx);
      return;
    }
    // Weights rank a match in the name above one in the tags, the description, then the text.
    await sql`
      insert into prompts_fts (id, document) values (${id},
        setweight(to_tsvector('english', ${nameWords(name)}), 'A') ||
        setweight(to_tsvector('english', ${tags}), 'B') ||
        setweight(to_tsvector('english', ${description}), 'C') ||
        setweight(to_tsvector('english', ${content.template}), 'D'))
      on conflict (id) do update set document = excluded.document`.execute(trx);
  }

  // Reading.

  /** Live prompts joined with their latest version. */
  private latest() {
    return this.db
      .selectFrom('prompts as p')
      .innerJoin('prompt_versions as v', (join) => join.onRef('v.name', '=', 'p.name').onRef('v.version', '=', 'p.latest_version'))
      .where('p.deleted_at', 'is', null);
  }

  /** A prompt whose latest version carries exactly this tag. */
  private hasTag(tag: string): RawBuilder<boolean> {
    return this.dialect === 'sqlite'
      ? sql<boolean>`exists (select 1 from json_each(v.tags) where json_each.value = ${tag})`
      : sql<boolean>`(v.tags::jsonb) @> jsonb_build_array(${tag}::text)`;
  }

  /**
   * Full-text matches (all words, the last as a prefix) and names starting with the text.
   * A name that starts with it comes first, then relevance: BM25 on SQLite, ts_rank on
   * PostgreSQL, both weighting the name over the tags, the description and the text.
   */
  private async search(text: string, tag: string | undefined, limit: number): Promise<SummaryRow[]> {
    const terms = searchTerms(text);
    const prefix = namePrefixPattern(text);
    const tagged = tag === undefined ? sql`` : sql`and ${this.hasTag(tag)}`;
    if (this.dialect === 'sqlite') {
      const hits = terms.length
        ? sql`select rowid as id, -bm25(prompts_fts, 10.0, 5.0, 2.0, 1.0) as score, snippet(prompts_fts, -1, '«', '»', '…', 16) as snippet
              from prompts_fts where prompts_fts match ${fts5Query(terms)}`
        : sql`select -1 as id, 0.0 as score, null as snippet where 1 = 0`;
      const { rows } = await sql<SummaryRow>`
        with hits as (${hits})
        select p.name, p.latest_version, p.created_at, p.updated_at, v.description, v.tags, v.variables, hits.snippet
        from prompts p
        join prompt_versions v on v.name = p.name and v.version = p.latest_version
        left join hits on hits.id = p.id
        where p.deleted_at is null and (hits.id is not null or p.name like ${prefix} escape '\\') ${tagged}
        order by (p.name like ${prefix} escape '\\') desc, coalesce(hits.score, 0) desc, p.updated_at desc, p.name
        limit ${limit}`.execute(this.db);
      return rows;
    }
    const query = terms.length ? sql`to_tsquery('english', ${tsQueryText(terms)})` : sql`null::tsquery`;
    // The excerpt is made for the page of results only: ts_headline re-parses the text.
    const { rows } = await sql<SummaryRow>`
      with q as (select ${query} as query),
      hits as (select f.id, ts_rank(f.document, q.query) as score from prompts_fts f, q where f.document @@ q.query),
      found as (
        select p.name, p.latest_version, p.created_at, p.updated_at, v.description, v.tags, v.variables, v.template,
          hits.id as hit, coalesce(hits.score, 0) as score, (p.name like ${prefix} escape '\\') as name_hit
        from prompts p
        join prompt_versions v on v.name = p.name and v.version = p.latest_version
        left join hits on hits.id = p.id
        where p.deleted_at is null and (hits.id is not null or p.name like ${prefix} escape '\\') ${tagged}
        order by name_hit desc, score desc, p.updated_at desc, p.name
        limit ${limit}
      )
      select found.name, found.latest_version, found.created_at, found.updated_at, found.description, found.tags, found.variables,
        case when found.hit is null then null else ts_headline('english', concat_ws(' — ', translate(found.name, '-_', '  '), found.description, found.template), q.query,
          'StartSel=«, StopSel=», MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=" … "') end as snippet
      from found, q
      order by found.name_hit desc, found.score desc, found.updated_at desc, found.name`.execute(this.db);
    return rows;
  }
}

function toSummary(row: SummaryRow): PromptSummary {
  return {
    name: row.name,
    ...present({ description: row.description }),
    tags: JSON.parse(row.tags) as string[],
    latestVersion: row.latest_version,
    variables: JSON.parse(row.variables) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...present({ snippet: row.snippet }),
  };
}

function toVersion(row: Selectable<PromptVersionsTable>): PromptVersion {
  return {
    name: row.name,
    version: row.version,
    createdAt: row.created_at,
    ...present({ note: row.note, author: row.author, description: row.description }),
    template: row.template,
    tags: JSON.parse(row.tags) as string[],
    variables: JSON.parse(row.variables) as string[],
  };
}

function contentOf(row: Pick<Selectable<PromptVersionsTable>, 'template' | 'description' | 'tags'>): PromptContentValue {
  return { template: row.template, ...present({ description: row.description }), tags: JSON.parse(row.tags) as string[] };
}

function isoOrNow(text: string | undefined): string {
  const time = text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(time) ? new Date().toISOString() : new Date(time).toISOString();
}

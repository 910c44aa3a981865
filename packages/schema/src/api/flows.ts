import { z } from 'zod';
import type { Flow } from '../flow.js';
import { Problem } from '../problems.js';
import { AUTHOR_MAX, NOTE_MAX } from './limits.js';
import { Timestamp } from './common.js';

/**
 * A flow document as a request carries it. Only its outline is checked here: the flow loader
 * checks the rest and returns every problem at once, which a save keeps (a flow is often saved
 * half-drawn) and a run refuses.
 */
export const FlowDocument = z
  .object({ schema: z.string(), id: z.string(), name: z.string(), nodes: z.array(z.unknown()), edges: z.array(z.unknown()) })
  .loose()
  .meta({ id: 'FlowDocument', description: 'A flow in the trellis.flow/v1 format (see `trellis schema`).' });

/** Who saved a version, as they name themselves in the editor. */
export const Author = z.string().trim().min(1).max(AUTHOR_MAX).meta({ description: 'Who saves it, as they name themselves; kept with the version' });

export const FlowSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    /** The latest version's tags; absent when it has none. */
    tags: z.array(z.string()).optional(),
    latestVersion: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'FlowSummary' });
export type FlowSummary = z.infer<typeof FlowSummary>;

/**
 * A flow with its latest version's document, as the store keeps it. Documents in answers are
 * described by `FlowDocument`; their type is the flow format's own.
 */
export type StoredFlow = FlowSummary & { document: Flow };

/** What GET /api/flows/:id answers: the flow and what is wrong with it. */
export const FlowDetail = FlowSummary.extend({ document: FlowDocument, problems: z.array(Problem) }).meta({ id: 'Flow' });
export type FlowDetail = StoredFlow & { problems: Problem[] };

/**
 * What a save (POST /api/flows, PUT /api/flows/:id) answers: the version it made and what is
 * wrong with the document, not the document the client just sent.
 */
export const FlowSaved = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.number().int().min(1).meta({ description: 'The version this save made: the latest' }),
    updatedAt: Timestamp,
    problems: z.array(Problem).meta({ description: 'What keeps the flow from running; a save keeps them' }),
  })
  .meta({ id: 'FlowSaved' });
export type FlowSaved = z.infer<typeof FlowSaved>;

/** PUT /api/flows/:id's query. */
export const SaveFlowQuery = z.object({
  expectVersion: z.coerce.number().int().min(0).optional().meta({ description: 'Refused with 409 when the latest version is another one' }),
  message: z.string().max(NOTE_MAX).optional(),
  author: Author.optional(),
});
export type SaveFlowQuery = z.infer<typeof SaveFlowQuery>;

export const FlowVersionSummary = z
  .object({
    flowId: z.string(),
    version: z.number().int(),
    createdAt: Timestamp,
    message: z.string().optional(),
    /** Who saved it, as they named themselves in the editor. */
    author: z.string().optional(),
  })
  .meta({ id: 'FlowVersionSummary' });
export type FlowVersionSummary = z.infer<typeof FlowVersionSummary>;

export const FlowVersion = FlowVersionSummary.extend({ document: FlowDocument }).meta({ id: 'FlowVersion' });
export type FlowVersion = FlowVersionSummary & { document: Flow };

export const RestoreFlow = z
  .object({
    version: z.number().int().min(1).meta({ description: 'The version whose document becomes the new version' }),
    message: z.string().max(NOTE_MAX).optional(),
    author: Author.optional(),
    expectVersion: z.number().int().min(0).optional().meta({ description: 'Refused with 409 when the latest version is another one' }),
  })
  .strict()
  .meta({ id: 'RestoreFlow' });
export type RestoreFlow = z.infer<typeof RestoreFlow>;

export const ValidationResult = z.object({ ok: z.boolean(), problems: z.array(Problem) }).meta({ id: 'ValidationResult' });
export type ValidationResult = z.infer<typeof ValidationResult>;

/** A bundled example flow (GET /api/examples): what a new flow can start from. */
export const ExampleFlow = z
  .object({
    id: z.string().meta({ example: 'support-triage' }),
    name: z.string().meta({ example: 'Support triage' }),
    description: z.string().optional(),
    document: FlowDocument,
  })
  .meta({ id: 'ExampleFlow' });
export type ExampleFlow = Omit<z.infer<typeof ExampleFlow>, 'document'> & { document: Flow };

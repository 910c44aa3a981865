import type { FlowEdge } from '@trellis/schema';
import type { ApiClient } from '../../api';
import type { TemplateEnv } from '../scope';
import { BranchesField } from './BranchesField';
import { ExpressionField } from './ExpressionField';
import { GuardrailRulesField } from './GuardrailRulesField';
import type { FieldProps } from './FieldShell';
import { JsonField } from './JsonField';
import { JsonSchemaField } from './JsonSchemaField';
import { FlowRefField } from './FlowRefField';
import { McpToolsField } from './McpToolsField';
import { getPath } from '../paths';
import { ModelField } from './ModelField';
import { BooleanField, NumberField, SelectField, TextField } from './SimpleFields';
import { TemplateField } from './TemplateField';

export interface FieldContext {
  api: ApiClient;
  nodeId: string;
  env: TemplateEnv;
  edges: readonly FlowEdge[];
  nameOf: (id: string) => string;
  /** The node's config, and a write at any of its paths (one undo step): for fields that edit two values. */
  config: Record<string, unknown>;
  writeAt: (path: string, value: unknown) => void;
}

/** The control for a field hint's widget. */
export function FieldControl({ context, ...props }: FieldProps & { context: FieldContext }) {
  switch (props.hint.widget) {
    case 'text':
    case 'textarea':
      return <TextField {...props} />;
    case 'number':
      return <NumberField {...props} />;
    case 'boolean':
      return <BooleanField {...props} />;
    case 'select':
      return <SelectField {...props} />;
    case 'template':
      return <TemplateField {...props} env={context.env} />;
    case 'expression':
      return <ExpressionField {...props} />;
    case 'model':
      return <ModelField {...props} api={context.api} />;
    case 'json-schema':
      return <JsonSchemaField {...props} />;
    case 'json':
    case 'template-json':
      return <JsonField {...props} env={context.env} />;
    case 'branches':
      return <BranchesField {...props} nodeId={context.nodeId} edges={context.edges} nameOf={context.nameOf} />;
    case 'guardrail-rules':
      return <GuardrailRulesField {...props} />;
    case 'flow-ref': {
      const versionPath = props.hint.versionPath ?? 'version';
      return <FlowRefField {...props} api={context.api} version={getPath(context.config, versionPath)} writeVersion={(value) => context.writeAt(versionPath, value)} />;
    }
    case 'mcp-tools':
      return <McpToolsField {...props} api={context.api} />;
    default: {
      const unknown: never = props.hint.widget;
      return <p className="inspector-note">This Trellis cannot draw a "{String(unknown)}" field; edit it in the flow's JSON.</p>;
    }
  }
}

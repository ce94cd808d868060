import { render } from 'velocityjs';
import { javaUrlEncode } from './java-url-encode';
import { JavaMap } from './java-map';

/** The request parameters API Gateway offers a template as `$input.params()`. */
export interface TemplateParameters {
  readonly path?: Readonly<Record<string, string>>;
  readonly querystring?: Readonly<Record<string, string>>;
  /** Names with the sender's casing; a repeated header holds its last value (see `lastHeaderValues`). */
  readonly header?: Readonly<Record<string, string>>;
}

const PARAMETER_GROUPS = ['path', 'querystring', 'header'] as const;
type ParameterGroup = (typeof PARAMETER_GROUPS)[number];

export interface MappingTemplateInput {
  /**
   * `$input.body`: in a request template behind `binaryMediaTypes` `*\/*` with `CONVERT_TO_TEXT`, the body in
   * base64; in a response template, the integration's response body as text.
   */
  readonly body: string;
  readonly params?: TemplateParameters;
  /** `$context` variables (`requestId`, `requestTimeEpoch`, `error.messageString`, ...). */
  readonly context: Readonly<Record<string, unknown>>;
}

export interface MappingTemplateResult {
  readonly output: string;
  /** `$context.responseOverride.status`, when a response template set it. */
  readonly statusOverride?: number;
}

/**
 * Renders an API Gateway mapping template with velocityjs and the parts of `$input`, `$util` and `$context` our
 * templates use, each as API Gateway documents it. Anything else the template asks for throws (velocityjs's
 * development mode), where API Gateway would print the reference as text: a template bug fails a test here rather
 * than reaching SQS. velocityjs evaluates arithmetic as JavaScript (`/` is not integer division): the templates use
 * only `+`, `>` and comparisons, whose results agree.
 */
export function renderMappingTemplate(template: string, input: MappingTemplateInput): MappingTemplateResult {
  const params = input.params ?? {};
  // A property of the outer map (`$input.params().header`) is Map.get in VTL: a plain object reads the same.
  const groups: Readonly<Record<ParameterGroup, JavaMap<string>>> = {
    path: mapOf(params.path),
    querystring: mapOf(params.querystring),
    header: mapOf(params.header),
  };
  const responseOverride: { status?: unknown; header: Record<string, unknown> } = { header: {} };
  const $input = {
    body: input.body,
    /** `$input.params()` is every group; `$input.params(name)` searches path, query string, then headers. */
    params: (name?: unknown): Readonly<Record<ParameterGroup, JavaMap<string>>> | string | null => {
      if (name === undefined) return groups;
      for (const group of PARAMETER_GROUPS) {
        const value = groups[group].get(name);
        if (value !== null) return value;
      }
      return null;
    },
  };
  const $util = {
    urlEncode: (value: unknown): string => javaUrlEncode(String(value)),
  };
  const output = render(
    template,
    { input: $input, util: $util, context: { ...input.context, responseOverride } },
    undefined,
    {
      env: 'development',
      customMethodHandlers: [
        {
          // Java's String.length(): UTF-16 code units, as JavaScript counts them.
          uid: 'java: String.length()',
          match: ({ property, context }: { property: string; context: unknown }) =>
            property === 'length' && typeof context === 'string',
          resolve: ({ context }: { context: string }) => context.length,
        },
      ],
    },
  );
  const status = responseOverride.status;
  return status === undefined ? { output } : { output, statusOverride: Number(status) };
}

function mapOf(record: Readonly<Record<string, string>> | undefined): JavaMap<string> {
  return new JavaMap(Object.entries(record ?? {}));
}

// The Embedded Signup launch call for one accepted solution (docs/graph-api.md, "What the Tech
// Provider does with the solution ID"): the Tech Provider pastes it into the page where their
// customers start Embedded Signup, with their own callback and configuration ID.

/** Stands for the Tech Provider's Embedded Signup configuration ID, which only they know. */
export const CONFIG_ID_PLACEHOLDER = '<YOUR_ES_CONFIGURATION_ID>';

/** A JavaScript string literal in single quotes (a solution ID is digits; this keeps it so for anything else). */
const quoted = (text) => `'${String(text).replace(/[\\'\n\r\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;

/** Ready-to-paste `FB.login(...)` that launches Embedded Signup with the solution `solutionId`. */
export function launchSnippet(solutionId) {
  return [
    "// Put your Embedded Signup configuration's ID in config_id.",
    'FB.login(callback, {',
    `  config_id: '${CONFIG_ID_PLACEHOLDER}',`,
    "  response_type: 'code',",
    '  override_default_response_type: true,',
    '  extras: {',
    `    setup: { solutionID: ${quoted(solutionId)} },`,
    "    featureType: '',",
    "    sessionInfoVersion: '3',",
    '  },',
    '});',
  ].join('\n');
}

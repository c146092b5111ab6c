import { isFlowcastError } from '../errors/flowcast-error';

/** The HTTP status of each coded error the admin API answers with (anything else is 500). */
const STATUS: Readonly<Record<string, number>> = {
  FC_ADMIN_REQUEST: 400,
  FC_ADMIN_AUTH: 401,
  FC_ADMIN_FORBIDDEN: 403,
  FC_UNKNOWN_FLOW: 404,
  FC_UNKNOWN_COMPONENT: 404,
  FC_LISTENER_GONE: 404,
  FC_PROPERTY_NOT_LIVE: 409,
  FC_FLOW_EXISTS: 409,
  FC_CLAIM_CONFLICT: 409,
  FC_FLOW_NOT_RUNNING: 409,
  FC_FLOW_FILE_CHANGED: 409,
  FC_PROPERTY_INVALID: 422,
  FC_LIVE_CHANGE_FAILED: 422,
};

/** An error as the API answers it: status and a JSON body `{ error: { code, message, fix, … } }`. */
export function errorAnswer(error: unknown): { status: number; body: { error: Record<string, unknown> } } {
  if (!isFlowcastError(error)) return { status: 500, body: { error: { code: 'FC_INTERNAL', message: 'the server failed to answer; its log says why', fix: 'read the server log (`flowcast logs`)' } } };
  // An unknown property is a name that is not there: 404, with the names there are in the message.
  const status = error.code === 'FC_PROPERTY_INVALID' && /has no property/.test(error.reason) ? 404 : (STATUS[error.code] ?? 500);
  return {
    status,
    body: {
      error: {
        code: error.code,
        message: error.reason,
        fix: error.fix,
        ...(error.location.component ? { component: error.location.component } : {}),
        ...(error.location.property ? { property: error.location.property } : {}),
      },
    },
  };
}

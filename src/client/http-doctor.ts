/**
 * The doctor half of virtnetd's HTTP API (`virtnet doctor`), for both ends:
 * the routes (src/api/routes-doctor.ts registers exactly these) and the calls.
 *
 *   GET  /api/doctor[?network=NAME]        doctorReport
 *   POST /api/doctor/fix[?network=NAME]    doctorFix
 *   POST /api/doctor/undo                  doctorUndo
 */
import type { DoctorApi, DoctorFixResult, DoctorReport, DoctorUndoResult } from '../contract/doctor-api.js';
import { request, type HttpCallerClass } from './http-call.js';
import { API_PREFIX } from './http-routes.js';

export const DOCTOR_ROUTES = {
  report: `${API_PREFIX}/doctor`,
  fix: `${API_PREFIX}/doctor/fix`,
  undo: `${API_PREFIX}/doctor/undo`,
} as const;

const withNetwork = (path: string, network?: string): string => (network === undefined ? path : `${path}?network=${encodeURIComponent(network)}`);

/** DoctorApi as calls over the client's transport, mixed into `Base`. */
export const withDoctorCalls = <B extends HttpCallerClass>(Base: B) =>
  class HttpDoctorCalls extends Base implements DoctorApi {
    doctorReport(network?: string): Promise<DoctorReport> {
      return request(this.transport, 'GET', withNetwork(DOCTOR_ROUTES.report, network));
    }

    doctorFix(network?: string): Promise<DoctorFixResult> {
      return request(this.transport, 'POST', withNetwork(DOCTOR_ROUTES.fix, network), {});
    }

    doctorUndo(): Promise<DoctorUndoResult> {
      return request(this.transport, 'POST', DOCTOR_ROUTES.undo, {});
    }
  };

/** Every group of `virtnet doctor`, in the order they run; add a group here. */
import { OVN_GROUP } from '../ovn/doctor.js';
import type { CheckGroup } from './checks.js';

export const DOCTOR_GROUPS: readonly CheckGroup[] = [OVN_GROUP];

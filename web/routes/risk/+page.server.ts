import { modelReport } from '$lib/server/model-report';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({ report: await modelReport() });

/** A letter's PDF, for whoever may see the letter (a collector: their portfolio's only). */
import { error, type RequestHandler } from '@sveltejs/kit';
import { CollectionsError } from '../../../../../../../collections/access.ts';
import { letterPdf } from '../../../../../../../collections/dunning.store.ts';
import { whoOf } from '$lib/server/collections';
import { auth } from '$lib/server/session';

export const GET: RequestHandler = (event) => {
  const id = event.params.id ?? '';
  if (!/^\d{1,9}$/.test(id)) error(404, 'There is no such letter.');
  try {
    const { letter, pdf } = letterPdf(auth().ops, whoOf(event), Number(id));
    const name = `letter-${letter.id}-${letter.customerId}-${letter.runDate}.pdf`.replace(/[^\w.-]/g, '_');
    return new Response(Buffer.from(pdf), {
      headers: {
        'content-type': 'application/pdf',
        'content-disposition': `inline; filename="${name}"`,
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
      },
    });
  } catch (e) {
    if (e instanceof CollectionsError) error(e.status, e.message);
    throw e;
  }
};

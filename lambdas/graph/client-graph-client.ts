import { z } from 'zod';
import { GraphClient, PAGE_LIMIT, parseAnswer, successSchema, type ListingPage } from './graph-client';
import { unexpectedAnswerGraphError } from './graph-error';

/** A client WABA shared with our business (`client_whatsapp_business_accounts`). */
export interface SharedClientWaba {
  id: string;
  name?: string;
  /** The client's business, when Graph says (`on_behalf_of_business_info`). */
  ownerBusinessId?: string;
}

/** A solution a WABA was onboarded through (`GET /{waba}/solutions`). */
export interface WabaSolution {
  id: string;
  status?: string;
}

/** Meta shows two shapes: the reference's `{access_token, expires_at}`, the guide's `{data: [{access_token}]}`. */
const businessTokenSchema = z.union([
  z.object({ access_token: z.string().min(1) }).transform((b) => b.access_token),
  z.object({ data: z.array(z.object({ access_token: z.string().min(1) })).min(1) }).transform((b) => b.data[0]!.access_token),
]);
const fundingSchema = z.object({ id: z.string(), primary_funding_id: z.string().optional() });
const allocationSchema = z.object({ id: z.string(), receiving_credential: z.object({ id: z.string() }).optional() });
const clientWabaSchema = z.object({ id: z.string(), name: z.string().optional(), on_behalf_of_business_info: z.object({ id: z.string() }).optional() });
const wabaSolutionSchema = z.object({ id: z.string(), status: z.string().optional() });

/**
 * The Graph calls of a Solution Partner's duties to its clients (docs/graph-api.md § Clients): the
 * client's business token, the WABA's funding, our system user on it, our credit line shared and
 * verified, and the WABAs shared with us. Same pacing, errors and token rules as every other call:
 * the business token is a secret like the others, returned to the caller and never kept here.
 */
export class ClientGraphClient extends GraphClient {
  /** `GET /{solution}/access_token?business_id=`: the client's business token, with our system-user token. */
  async businessToken(solutionId: string, ownerBusinessId: string, systemUserToken: string): Promise<string> {
    const body = await this.request('GET', `${encodeURIComponent(solutionId)}/access_token`, systemUserToken, { query: { business_id: ownerBusinessId } });
    return parseAnswer(businessTokenSchema, body, 'GET access_token');
  }

  /** The WABA's `primary_funding_id` (absent while no credit line is attached), read with the client's business token. */
  async wabaFunding(wabaId: string, businessToken: string): Promise<string | undefined> {
    const body = await this.request('GET', encodeURIComponent(wabaId), businessToken, { query: { fields: 'primary_funding_id' } });
    return parseAnswer(fundingSchema, body, 'GET waba').primary_funding_id;
  }

  /** Our system user on the client's WABA with `tasks` (the query form Meta documents: `['MANAGE']`). */
  async assignSystemUser(wabaId: string, systemUserId: string, tasks: readonly string[], systemUserToken: string): Promise<void> {
    const body = await this.request('POST', `${encodeURIComponent(wabaId)}/assigned_users`, systemUserToken, {
      query: { user: systemUserId, tasks: `[${tasks.map((t) => `'${t}'`).join(',')}]` },
    });
    parseAnswer(successSchema, body, 'POST assigned_users');
  }

  /** Shares our credit line with the WABA's business and attaches it to the WABA: the allocation's id. */
  async shareCreditLine(creditLineId: string, wabaId: string, currency: string, systemUserToken: string): Promise<string> {
    const body = await this.request('POST', `${encodeURIComponent(creditLineId)}/whatsapp_credit_sharing_and_attach`, systemUserToken, {
      query: { waba_currency: currency, waba_id: wabaId },
    });
    const answer = parseAnswer(z.object({ allocation_config_id: z.string(), waba_id: z.string() }), body, 'POST whatsapp_credit_sharing_and_attach');
    if (answer.waba_id !== wabaId) throw unexpectedAnswerGraphError('Graph answered whatsapp_credit_sharing_and_attach for another WABA');
    return answer.allocation_config_id;
  }

  /** The funding an allocation gives its WABA: its `receiving_credential`, which must equal the WABA's `primary_funding_id`. */
  async allocationCredential(allocationConfigId: string, systemUserToken: string): Promise<string | undefined> {
    const body = await this.request('GET', encodeURIComponent(allocationConfigId), systemUserToken, { query: { fields: 'receiving_credential' } });
    return parseAnswer(allocationSchema, body, 'GET allocation').receiving_credential?.id;
  }

  /** Our credit line's allocations to one client business (`owning_credit_allocation_configs`). */
  async clientAllocations(creditLineId: string, clientBusinessId: string, systemUserToken: string): Promise<string[]> {
    const query = { receiving_business_id: clientBusinessId, fields: 'id,receiving_business', limit: PAGE_LIMIT };
    const allocations = await this.listAll(`${encodeURIComponent(creditLineId)}/owning_credit_allocation_configs`, query, systemUserToken, z.object({ id: z.string() }));
    return allocations.map((a) => a.id);
  }

  /**
   * The client WABAs shared with our business, page by page, from the start or after Graph's cursor
   * `after` (a pass stops where its bound is, and the next goes on from there).
   */
  async *clientWabas(businessId: string, systemUserToken: string, after?: string): AsyncGenerator<ListingPage<SharedClientWaba>> {
    const query = { fields: 'id,name,on_behalf_of_business_info', limit: PAGE_LIMIT, ...(after === undefined ? {} : { after }) };
    for await (const page of this.pages(`${encodeURIComponent(businessId)}/client_whatsapp_business_accounts`, query, systemUserToken, clientWabaSchema, undefined, Number.POSITIVE_INFINITY)) {
      yield { ...page, items: page.items.map((w) => ({ id: w.id, name: w.name, ownerBusinessId: w.on_behalf_of_business_info?.id })) };
    }
  }

  /** The solutions a WABA was onboarded through. */
  async wabaSolutions(wabaId: string, systemUserToken: string): Promise<WabaSolution[]> {
    return this.listAll(`${encodeURIComponent(wabaId)}/solutions`, { fields: 'id,status', limit: PAGE_LIMIT }, systemUserToken, wabaSolutionSchema);
  }

  /** Our business's credit lines (`extendedcredits`): ops looks up CREDIT_LINE_ID here. */
  async creditLines(businessId: string, systemUserToken: string): Promise<{ id: string; legalEntityName?: string }[]> {
    const lines = await this.listAll(`${encodeURIComponent(businessId)}/extendedcredits`, { fields: 'id,legal_entity_name', limit: PAGE_LIMIT }, systemUserToken, z.object({ id: z.string(), legal_entity_name: z.string().optional() }));
    return lines.map((l) => ({ id: l.id, ...(l.legal_entity_name === undefined ? {} : { legalEntityName: l.legal_entity_name }) }));
  }
}

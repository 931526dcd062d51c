import { numericId } from './graph-ids';

/**
 * The clients onboarded through solutions (docs/graph-api.md § Clients onboarded through a solution):
 * each client's business portfolio, its WhatsApp Business Accounts shared with the solution's partners,
 * the users assigned to them, and the credit allocations of our credit lines. No Graph or webhook
 * concerns here: the routes check who calls, the state announces what changed.
 */

export interface SimBusiness {
  id: string;
  name: string;
}

export interface SimCreditLine {
  id: string;
  legalEntityName: string;
}

/** A user assigned to a WABA, with the tasks it may do there. */
export interface SimAssignedUser {
  id: string;
  name: string;
  tasks: string[];
}

/** What a WABA's `ownership_type` answers for a client's account shared with a partner (Meta's value for it). */
export const CLIENT_OWNED = 'CLIENT_OWNED';

export interface SimWaba {
  id: string;
  name: string;
  timezoneId: string;
  ownerBusiness: SimBusiness;
  /** The business portfolios it is shared with (the solution's partners'), ours among them until the client removes us. */
  sharedWith: string[];
  /** The solution it was onboarded through. */
  solutionId: string;
  /** The client granted our app permissions (Embedded Signup does); `uninstallApp` takes them back. */
  appInstalled: boolean;
  assignedUsers: SimAssignedUser[];
  /** Unset until a credit line is attached; then the allocation's `receiving_credential` ID. */
  primaryFundingId?: string;
  onboardedAt: string;
}

/**
 * `request_status` of an allocation: `DELETED` is documented (after a revoke); `ACTIVE` for a live one
 * is our choice (the docs are silent).
 */
export type SimAllocationStatus = 'ACTIVE' | 'DELETED';

/** One sharing of a credit line with a client's business (docs: revoking it covers every WABA of that client). */
export interface SimAllocation {
  id: string;
  creditLineId: string;
  /** The WABA the line was first attached to through this allocation. */
  wabaId: string;
  receivingBusiness: SimBusiness;
  receivingCredentialId: string;
  currency: string;
  requestStatus: SimAllocationStatus;
}

/** The currencies `waba_currency` takes (docs/graph-api.md § Sharing the credit line). */
export const WABA_CURRENCIES = ['AUD', 'EUR', 'GBP', 'IDR', 'INR', 'USD'] as const;

/** The tasks that let our system user share a credit line with a WABA (docs: `MANAGE`, or `MANAGE_BILLING` alone). */
export const BILLING_TASKS = ['MANAGE', 'MANAGE_BILLING'] as const;

export class ClientAccounts {
  readonly businesses = new Map<string, SimBusiness>();
  readonly wabas = new Map<string, SimWaba>();
  readonly allocations = new Map<string, SimAllocation>();

  clear(): void {
    this.businesses.clear();
    this.wabas.clear();
    this.allocations.clear();
  }

  /** A client's business portfolio: the one with this ID when there is one, else a new one. */
  business(id: string | undefined, name: string | undefined): SimBusiness {
    const known = id === undefined ? undefined : this.businesses.get(id);
    if (known) return known;
    const business = { id: id ?? numericId(), name: name ?? `Client business ${this.businesses.size + 1}` };
    this.businesses.set(business.id, business);
    return business;
  }

  addWaba(waba: SimWaba): SimWaba {
    if (this.wabas.has(waba.id)) throw new Error(`WABA ${waba.id} exists already`);
    this.wabas.set(waba.id, waba);
    return waba;
  }

  /** The WABAs shared with a business portfolio, in the order they were onboarded. */
  sharedWith(businessId: string): SimWaba[] {
    return [...this.wabas.values()].filter((w) => w.sharedWith.includes(businessId));
  }

  /** Sets a user's tasks on a WABA (a second assignment replaces the first's tasks: our choice, the docs are silent). */
  assignUser(waba: SimWaba, user: SimAssignedUser): void {
    const others = waba.assignedUsers.filter((u) => u.id !== user.id);
    waba.assignedUsers = [...others, user];
  }

  /** The allocation of a credit line to a business that is still live, if any. */
  liveAllocation(creditLineId: string, businessId: string): SimAllocation | undefined {
    return [...this.allocations.values()].find((a) => a.creditLineId === creditLineId && a.receivingBusiness.id === businessId && a.requestStatus !== 'DELETED');
  }

  /**
   * Shares a credit line with the WABA's owner and attaches it to the WABA: the owner's live
   * allocation of that line when there is one (one allocation per client business, as revoking shows),
   * else a new one. The WABA's `primary_funding_id` becomes the allocation's receiving credential.
   */
  attachCreditLine(creditLineId: string, waba: SimWaba, currency: string): SimAllocation {
    const allocation = this.liveAllocation(creditLineId, waba.ownerBusiness.id) ?? this.newAllocation(creditLineId, waba, currency);
    waba.primaryFundingId = allocation.receivingCredentialId;
    return allocation;
  }

  /**
   * Revokes an allocation: `DELETED`, and every WABA it funds loses its `primary_funding_id` (our
   * choice, the docs are silent on what the WABA reads afterwards: unset, so a line can be attached again).
   */
  revoke(allocation: SimAllocation): void {
    allocation.requestStatus = 'DELETED';
    for (const waba of this.wabas.values()) {
      if (waba.primaryFundingId === allocation.receivingCredentialId) delete waba.primaryFundingId;
    }
  }

  private newAllocation(creditLineId: string, waba: SimWaba, currency: string): SimAllocation {
    const allocation: SimAllocation = {
      id: numericId(),
      creditLineId,
      wabaId: waba.id,
      receivingBusiness: waba.ownerBusiness,
      receivingCredentialId: numericId(),
      currency,
      requestStatus: 'ACTIVE',
    };
    this.allocations.set(allocation.id, allocation);
    return allocation;
  }
}

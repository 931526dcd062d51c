import type { Condition, ItemChange } from '../domain/item-move';

/**
 * A planned move (domain/item-move.ts) as DynamoDB expressions, every name and value a placeholder:
 * the store writes what the transition table planned, and knows no status itself.
 */
export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private nameCount = 0;
  private valueCount = 0;
  private readonly nameOf = new Map<string, string>();

  /** `a.b` as `#n0.#n1`, each segment named once. */
  path(path: string): string {
    return path
      .split('.')
      .map((segment) => {
        let placeholder = this.nameOf.get(segment);
        if (!placeholder) {
          placeholder = `#n${this.nameCount++}`;
          this.nameOf.set(segment, placeholder);
          this.names[placeholder] = segment;
        }
        return placeholder;
      })
      .join('.');
  }

  value(value: unknown): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  condition(condition: Condition): string {
    switch (condition.op) {
      case 'in':
        return `${this.path(condition.path)} IN (${condition.values.map((v) => this.value(v)).join(', ')})`;
      case 'eq':
        return `${this.path(condition.path)} = ${this.value(condition.value)}`;
      case 'lt':
        return `${this.path(condition.path)} < ${this.value(condition.value)}`;
      case 'le':
        return `${this.path(condition.path)} <= ${this.value(condition.value)}`;
      case 'absent':
        return `attribute_not_exists(${this.path(condition.path)})`;
      case 'any':
      case 'all': {
        if (condition.of.length === 0) throw new Error(`an empty ${condition.op} condition`);
        const parts = condition.of.map((c) => `(${this.condition(c)})`);
        return parts.join(condition.op === 'any' ? ' OR ' : ' AND ');
      }
    }
  }

  /** SET, then REMOVE; a timeline entry is appended to `history`. */
  update(change: ItemChange): string {
    const assignments = [
      ...Object.entries(change.set).map(([name, value]) => `${this.path(name)} = ${this.value(value)}`),
      ...Object.entries(change.setIfAbsent).map(([name, value]) => `${this.path(name)} = if_not_exists(${this.path(name)}, ${this.value(value)})`),
      ...Object.entries(change.add).map(([name, amount]) => `${this.path(name)} = if_not_exists(${this.path(name)}, ${this.value(0)}) + ${this.value(amount)}`),
    ];
    if (change.history) {
      const history = this.path('history');
      assignments.push(`${history} = list_append(if_not_exists(${history}, ${this.value([])}), ${this.value([change.history])})`);
    }
    const removals = change.remove.map((name) => this.path(name));
    const clauses = [assignments.length > 0 ? `SET ${assignments.join(', ')}` : '', removals.length > 0 ? `REMOVE ${removals.join(', ')}` : ''];
    return clauses.filter(Boolean).join(' ');
  }
}

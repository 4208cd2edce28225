/**
 * Removes and returns up to `n` members of `set`, oldest first: how write-behind stores take a
 * slice of their changed keys, leaving the rest where a shutdown still finds them.
 */
export function takeSome<T>(set: Set<T>, n: number): T[] {
  const taken: T[] = [];
  for (const member of set) {
    if (taken.length === n) break;
    taken.push(member);
    set.delete(member);
  }
  return taken;
}

// The basket not yet paid, kept across a reload of the page (a tap on the browser's reload, a phone that drops the
// tab to save memory): in sessionStorage, one entry per event and user, so that another seller logged in on a shared
// phone never finds it. Cleared when the ticket is saved or the basket emptied. Only lines whose product is still on
// sale come back, at the price the seller told the customer.

const keyOf = (slug, userId) => `till-cart:${slug}:${userId}`;

/** Keep `cart` (an empty cart removes the entry). A full or refused storage keeps nothing: the till still sells. */
export function keepBasket(slug, userId, cart) {
  try {
    if (cart.length) sessionStorage.setItem(keyOf(slug, userId), JSON.stringify(cart));
    else sessionStorage.removeItem(keyOf(slug, userId));
  } catch {
    // a private window or a full disk: the basket lives as long as the page
  }
}

/** The basket kept for this event and user, its lines checked: a known product, a quantity and a price that are
 * numbers above zero. */
export function keptBasket(slug, userId, products) {
  let lines;
  try {
    lines = JSON.parse(sessionStorage.getItem(keyOf(slug, userId)) || "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(lines)) return [];
  return lines
    .filter((l) => l && products.has(l.product) && Number(l.quantity) > 0 && Number.isInteger(l.price) && l.price >= 0)
    .map((l) => ({ product: l.product, quantity: Number(l.quantity), price: l.price }));
}

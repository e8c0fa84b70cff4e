/** What simulated shows talk about: enough variety that a wall of shows reads like real ones. */

export interface CatalogItem {
  name: string;
  price: number;
  currency: string;
  description: string;
  /** What the host says to introduce it. */
  pitch: string;
}

export const showThemes = [
  'Summer collection live',
  'Kitchen gadgets happy hour',
  'Sneaker drop night',
  'Skincare Sunday',
  'Vintage vinyl crate dig',
  'Home office makeover',
  'Outdoor gear clearance',
  'Handmade jewellery showcase',
];

export const catalog: CatalogItem[] = [
  { name: 'Linen summer dress', price: 49.9, currency: 'EUR', description: 'Breathable linen in sand, sage and navy', pitch: 'this linen dress is the one I live in all July, we have it in sand, sage and navy' },
  { name: 'Cast-iron skillet 26 cm', price: 39, currency: 'USD', description: 'Pre-seasoned, oven safe to 260 °C', pitch: 'a pre-seasoned cast-iron skillet, twenty-six centimetres, goes straight in the oven' },
  { name: 'Retro runner sneakers', price: 89.99, currency: 'USD', description: 'Suede upper, gum sole, sizes 36 to 46', pitch: 'these retro runners with the gum sole just landed, sizes thirty-six to forty-six' },
  { name: 'Vitamin C serum 30 ml', price: 24.5, currency: 'GBP', description: '15% vitamin C with ferulic acid', pitch: 'my morning vitamin C serum, fifteen percent, thirty millilitres' },
  { name: 'Blue Note reissue LP', price: 32, currency: 'USD', description: '180 g pressing, gatefold sleeve', pitch: 'a Blue Note reissue on one-eighty gram vinyl with the gatefold sleeve' },
  { name: 'Ergonomic desk chair', price: 249, currency: 'EUR', description: 'Mesh back, adjustable lumbar support', pitch: 'the mesh desk chair with the adjustable lumbar support my back thanks me for' },
  { name: 'Two-person trekking tent', price: 179, currency: 'EUR', description: '1.9 kg, three-season, two doors', pitch: 'a two-person trekking tent, under two kilos, two doors so nobody climbs over anybody' },
  { name: 'Hammered silver hoops', price: 58, currency: 'GBP', description: 'Sterling silver, handmade in Lisbon', pitch: 'hammered sterling hoops, handmade in Lisbon, each pair a little different' },
  { name: 'Cold brew bottle 1 l', price: 19.95, currency: 'USD', description: 'Borosilicate glass with steel filter', pitch: 'a one-litre cold brew bottle, glass with a steel filter, just add coffee and water' },
  { name: 'Merino wool beanie', price: 29, currency: 'EUR', description: 'Extra-fine merino, one size', pitch: 'an extra-fine merino beanie, soft enough that it does not itch at all' },
];

export const hostAsides = [
  'Okay chat, I see a lot of you asking about sizes, hold on',
  'Welcome in everyone who just joined, we are just getting started',
  'Let me know in the comments which colour you want to see next',
  'I am going to pass this one around so you can see the stitching',
  'Somebody asked about shipping, it is free over fifty today',
];

export const agentReplies = [
  (p: CatalogItem) => `Done, ${p.name} is in the catalogue at ${p.price} ${p.currency}.`,
  (p: CatalogItem) => `I have created the ${p.name}. Want me to put it on the carousel?`,
  (p: CatalogItem) => `${p.name} is ready, priced at ${p.price} ${p.currency}.`,
];

export const carouselAsks = ['Put it on the carousel please', 'Add that one to the carousel', 'Pin it so everyone can see it'];

export const viewerNames = ['maria_k', 'tom.lee', 'sasha92', 'jun_w', 'priya_s', 'lukas_b', 'amara.o', 'diego_r', 'nina_h', 'omar_f'];

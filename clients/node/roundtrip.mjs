// A grid round trip against the GridPositions gRPC service, from Node with @grpc/grpc-js, loading the protos at run
// time: claim and place a buy, fill it, then claim and place the sell and deliver its fill from two concurrent client
// streams (it must be booked once), read the slots and the stored snapshot, and check the PnL.
//
//   GRIDPOSITIONS_ADDRESS=127.0.0.1:5055 node roundtrip.mjs
// The server must host account "main", symbol BTCUSDT, long, tick 0.01, step 0.001.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const here = path.dirname(fileURLToPath(import.meta.url));
const protos = path.resolve(here, '../../protos');
const definition = protoLoader.loadSync('gridpositions/v1/service.proto', {
  includeDirs: [protos], keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
});
const { PositionService } = grpc.loadPackageDefinition(definition).gridpositions.v1;
const address = process.env.GRIDPOSITIONS_ADDRESS ?? '127.0.0.1:5055';
const client = new PositionService(address, grpc.credentials.createInsecure());
const manager = { account: 'main', symbol: 'BTCUSDT', direction: 'GRID_DIRECTION_LONG' };

const call = (method, request) => new Promise((resolve, reject) =>
  client[method](request, { deadline: Date.now() + 10_000 }, (error, reply) => (error ? reject(error) : resolve(reply))));

// Amounts are decimal strings; compare them exactly, as scaled integers, never as floating point.
function scaled(text, scale = 12) {
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const digits = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
  return text.startsWith('-') ? -digits : digits;
}

// The stored snapshot's DecimalValue: a 96-bit unscaled integer (low64, high32), a scale and a sign.
function fromDecimalValue(v) {
  const unscaled = (BigInt(v.high32) << 64n) | BigInt(v.low64);
  const text = unscaled.toString().padStart(v.scale + 1, '0');
  const point = text.length - v.scale;
  return (v.negative ? '-' : '') + text.slice(0, point) + (v.scale > 0 ? '.' + text.slice(point) : '');
}

function check(condition, what) {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
}

async function claimAndPlace(side, price, quantity, orderId) {
  const claim = await call('claimSlot', {
    manager, type: 'ORDER_ACTION_TYPE_PLACE', slotPrice: '100', side, price, quantity,
  });
  check(claim.rejection === 'CLAIM_REJECTION_CODE_NONE', `claim accepted (${claim.rejection}: ${claim.detail})`);
  const applied = await call('applyActionResults', {
    manager, results: [{ action: claim.action, outcome: 'ACTION_OUTCOME_SUCCEEDED', orderId }],
  });
  check(applied.outcomes[0].disposition === 'DISPOSITION_APPLIED', 'place result applied');
  return claim.action;
}

function deliverOnAStream(updates) {
  return new Promise((resolve, reject) => {
    const stream = client.streamOrderUpdates({ deadline: Date.now() + 10_000 }, (error, reply) => (error ? reject(error) : resolve(reply)));
    for (const update of updates) {
      stream.write({ manager, ...update });
    }
    stream.end();
  });
}

const buyId = `N-buy-${process.pid}`;
const sellId = `N-sell-${process.pid}`;
await claimAndPlace('ORDER_SIDE_BUY', '100', '1', buyId);
const bought = await call('onOrderUpdate', {
  manager, orderId: buyId, status: 'ORDER_STATUS_FILLED', cumulativeFilledQuantity: '1', cumulativeQuoteQuantity: '100', cumulativeFee: '0.1',
});
check(bought.disposition === 'DISPOSITION_APPLIED', 'the buy fill applied');

await claimAndPlace('ORDER_SIDE_SELL', '110', '1', sellId);
const sellFill = [
  { orderId: sellId, status: 'ORDER_STATUS_PARTIALLY_FILLED', cumulativeFilledQuantity: '0.4', cumulativeQuoteQuantity: '44', cumulativeFee: '0.044' },
  { orderId: sellId, status: 'ORDER_STATUS_FILLED', cumulativeFilledQuantity: '1', cumulativeQuoteQuantity: '110', cumulativeFee: '0.11' },
];
const replies = await Promise.all([deliverOnAStream(sellFill), deliverOnAStream(sellFill)]);
const applied = replies.reduce((n, r) => n + Number(r.applied), 0);
const repeated = replies.reduce((n, r) => n + Number(r.duplicate) + Number(r.stale), 0);
check(applied === 2 && repeated === 2, `one fill from two streams booked once (applied ${applied}, duplicate or stale ${repeated})`);

const { slots, totals } = await call('getSlots', { manager });
const slot = slots.find((s) => scaled(s.price) === scaled('100'));
check(slot && slot.status === 'SLOT_STATUS_FREE' && scaled(slot.inventory) === 0n, 'the slot is free and flat');
// (110 - 100) x 1 - 0.1 - 0.11
check(scaled(slot.realizedPnl) === scaled('9.79') && scaled(totals.realizedPnl) === scaled('9.79'), `realised PnL 9.79 (got ${slot.realizedPnl})`);

const snapshot = await call('getSnapshot', { manager });
const stored = snapshot.slots.find((s) => scaled(fromDecimalValue(s.price)) === scaled('100'));
check(scaled(fromDecimalValue(stored.realizedPnl)) === scaled('9.79'), 'the stored snapshot says the same');

console.log(`node client: PASS (round trip realised ${slot.realizedPnl}; one fill from two streams booked once; snapshot agrees) against ${address}`);
client.close();

// Examples to try gptls on (README: Quick start). Each function shows one action.

function median(values) {
  // TODO
}

// gptls: accept an empty array and return 0
function total(values) {
  return values.reduce((a, b) => a + b);
}

function mostFrequent(values) {
  let best = null;
  let bestCount = 0;
  for (const v of values) {
    const count = values.filter((w) => w === v).length;
    if (count > bestCount) {
      best = v;
      bestCount = count;
    }
  }
  return best;
}

module.exports = { median, total, mostFrequent };

import { describe, expect, it } from 'vitest';

import { chooseGrid } from './layout';

describe('grid layout', () => {
  it('one tile fills the box at 16:9', () => {
    const g = chooseGrid(1, 1600, 900, 16 / 9, 0);
    expect(g).toMatchObject({ cols: 1, rows: 1, tileWidth: 1600, tileHeight: 900 });
  });

  it('two tiles sit side by side on a wide screen, stacked on a tall one', () => {
    expect(chooseGrid(2, 1600, 800).cols).toBe(2);
    expect(chooseGrid(2, 400, 800).cols).toBe(1);
  });

  it('a 16:9 box of 4, 9 and 16 tiles is a square grid', () => {
    expect(chooseGrid(4, 1600, 900).cols).toBe(2);
    expect(chooseGrid(9, 1600, 900).cols).toBe(3);
    expect(chooseGrid(16, 1600, 900).cols).toBe(4);
  });

  it('tiles never overflow the box, gaps included', () => {
    for (let n = 1; n <= 16; n++) {
      for (const [w, h] of [
        [1280, 640],
        [375, 600],
        [1920, 1000],
        [800, 800],
      ] as const) {
        const g = chooseGrid(n, w, h, 16 / 9, 8);
        expect(g.cols * g.rows).toBeGreaterThanOrEqual(n);
        expect(g.cols * g.tileWidth + (g.cols - 1) * 8).toBeLessThanOrEqual(w);
        expect(g.rows * g.tileHeight + (g.rows - 1) * 8).toBeLessThanOrEqual(h);
        expect(g.tileWidth).toBeGreaterThan(0);
      }
    }
  });

  it('picks the columns giving the largest tiles', () => {
    const g = chooseGrid(3, 1200, 900, 16 / 9, 0);
    // 2 columns: 600 wide; 3 columns: 400; 1 column: 300×533 → 2 wins.
    expect(g.cols).toBe(2);
    expect(g.tileWidth).toBe(600);
  });

  it('an unmeasured box (0×0) still answers without dividing by zero', () => {
    const g = chooseGrid(5, 0, 0);
    expect(g.cols).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(g.tileWidth)).toBe(true);
  });
});

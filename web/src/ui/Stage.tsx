// The tiles' arrangement: an even grid, or a spotlight (one large tile and a strip).
import { useEffect, useRef, useState, type CSSProperties } from 'react';

import { chooseGrid } from './layout';
import type { ModerateAction } from './moderation';
import { Tile } from './Tile';
import { countRender } from './testHooks';
import { spotlightKey, type TileModel } from './tiles';

function useElementSize<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { width, height } = entry.contentRect;
      setSize((s) => (s.width === Math.round(width) && s.height === Math.round(height) ? s : { width: Math.round(width), height: Math.round(height) }));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, size] as const;
}

const GAP = 10;

export function Stage({
  tiles,
  pinned,
  onPin,
  onModerate = null,
  speakerId,
  sinkId,
  selfVersion,
}: {
  tiles: TileModel[];
  pinned: string | null;
  onPin: (key: string) => void;
  /** Set only when we are a moderator: each remote tile gets its menu. */
  onModerate?: ((action: ModerateAction, memberId: string) => void) | null;
  speakerId: string | null;
  sinkId: string | null;
  selfVersion: number;
}) {
  countRender('Stage');
  const [ref, size] = useElementSize<HTMLDivElement>();
  const spot = tiles.length > 1 ? spotlightKey(tiles, pinned) : null;
  const main = spot ? tiles.filter((t) => t.key === spot) : tiles;
  const strip = spot ? tiles.filter((t) => t.key !== spot) : [];

  const grid = chooseGrid(main.length, size.width, size.height, 16 / 9, GAP);
  // Each tile spans two half-columns, so a short last row can start half a tile in: centred.
  const lastRow = main.length - (grid.rows - 1) * grid.cols;
  const offset = grid.cols - lastRow;
  const gridStyle: CSSProperties = {
    gridTemplateColumns: `repeat(${grid.cols * 2}, ${(grid.tileWidth - GAP) / 2}px)`,
    gridAutoRows: `${grid.tileHeight}px`,
    columnGap: `${GAP}px`,
    rowGap: `${GAP}px`,
  };

  const render = (tile: TileModel, style?: CSSProperties) => (
    <Tile
      key={tile.key}
      tile={tile}
      style={style}
      speaking={speakerId === tile.memberId && tile.kind === 'camera'}
      pinned={pinned === tile.key}
      onPin={onPin}
      onModerate={onModerate}
      sinkId={sinkId}
      version={tile.self ? selfVersion : 0}
    />
  );

  return (
    <div className={`stage ${spot ? 'stage-spotlight' : 'stage-grid'} ${tiles.length === 1 ? 'stage-single' : ''}`} data-testid="stage" data-layout={spot ? 'spotlight' : 'grid'} data-cols={grid.cols}>
      <div className="stage-main" ref={ref}>
        {size.width > 0 && (
          <div className="grid" style={gridStyle}>
            {main.map((tile, i) => {
              const inLastRow = i >= (grid.rows - 1) * grid.cols;
              const first = inLastRow && i === (grid.rows - 1) * grid.cols;
              const style: CSSProperties = first && offset > 0 ? { gridColumn: `${offset + 1} / span 2` } : { gridColumn: 'span 2' };
              return render(tile, style);
            })}
          </div>
        )}
      </div>
      {strip.length > 0 && <div className="strip" data-testid="strip">{strip.map((tile) => render(tile))}</div>}
    </div>
  );
}

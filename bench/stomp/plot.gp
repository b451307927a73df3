# The plots of docs/BENCHMARKS.md "STOMP signaling load", from the data files that
# bench/stomp/run.mjs writes ('?' marks a missing value, e.g. RabbitMQ skipped):
#   fanout.dat   room_size parley_deliveries_per_s rabbitmq_deliveries_per_s
#   latency.dat  percentile parley_ms rabbitmq_ms
#   idle.dat     "server" kib_per_session color_index
#
#   gnuplot -e "datadir='DIR'; outdir='DIR'; term='pngcairo'" bench/stomp/plot.gp
# (optional: fanout_title, latency_title, idle_title; lat_ymin, lat_ymax: the latency plot's range)

if (!exists("datadir")) datadir = "."
if (!exists("outdir")) outdir = "."
if (!exists("term")) term = "pngcairo"
if (!exists("fanout_title")) fanout_title = "Fan-out: deliveries per second by room size"
if (!exists("latency_title")) latency_title = "Targeted relay latency at 50 % load"
if (!exists("idle_title")) idle_title = "Memory per idle STOMP session"

if (term eq "pngcairo") {
  set terminal pngcairo size 900,520 font "sans,11" noenhanced
} else {
  set terminal png size 900,520
}

parley_color = "#2b6cb0"
rabbit_color = "#dd6b20"
goal_color = "#555555"

set encoding utf8
set datafile missing "?"
set style fill solid 0.85 border -1
set grid ytics lc rgb "#dddddd"
set key outside top center horizontal reverse Left samplen 3 width 4
set border 3
set xtics nomirror
set ytics nomirror

kilo(x) = x >= 1e6 ? sprintf("%.2fM", x / 1e6) : x >= 1e3 ? sprintf("%.0fk", x / 1e3) : sprintf("%.0f", x)
ms(x) = x < 10 ? sprintf("%.2f", x) : x < 100 ? sprintf("%.1f", x) : sprintf("%.0f", x)

# 1. Fan-out: deliveries/s by room size, both servers, with the 500 000/s goal.
set output outdir."/stomp-fanout.png"
set title fanout_title
set xlabel "members per room (every message goes to each of them)"
set ylabel "deliveries per second (thousands)"
set format y "%g"
set yrange [0:*]
set offsets 0.6, 0.6, graph 0.12, 0
set boxwidth 0.38
plot datadir."/fanout.dat" using 0:(NaN):xtic(1) notitle, \
     '' using ($0 - 0.2):($2 / 1000) with boxes lc rgb parley_color title "Parley", \
     '' using ($0 + 0.2):($3 / 1000) with boxes lc rgb rabbit_color title "RabbitMQ Web-STOMP", \
     '' using ($0 - 0.2):($2 / 1000):(kilo($2)) with labels offset 0,0.7 notitle, \
     '' using ($0 + 0.2):($3 / 1000):(kilo($3)) with labels offset 0,0.7 notitle, \
     500 with lines dt 2 lw 1.5 lc rgb goal_color title "goal: 500 000/s"

# 2. Relay latency percentiles at 50 % of parley's maximum, both servers, log scale.
set output outdir."/stomp-relay-latency.png"
set title latency_title
set xlabel "percentile"
set ylabel "send to receipt, ms (log scale)"
set logscale y
set format y "%g"
if (exists("lat_ymin") && exists("lat_ymax")) { set yrange [lat_ymin:lat_ymax] } else { set yrange [*:*] }
set offsets 0.3, 0.3, 0, 0
plot datadir."/latency.dat" using 0:2:xtic(1) with linespoints lw 2 pt 7 ps 1.2 lc rgb parley_color title "Parley", \
     '' using 0:3 with linespoints lw 2 pt 5 ps 1.2 lc rgb rabbit_color title "RabbitMQ Web-STOMP", \
     '' using 0:2:(ms($2)) with labels offset 0,-1.1 tc rgb parley_color notitle, \
     '' using 0:3:(ms($3)) with labels offset 0,1.1 tc rgb rabbit_color notitle, \
     5 with lines dt 2 lw 1.5 lc rgb goal_color title "goal: p99 ≤ 5 ms"
unset logscale y

# 3. RSS growth per idle session, both servers, with the 8 KiB goal.
set output outdir."/stomp-idle-memory.png"
set title idle_title
set xlabel ""
set ylabel "server RSS growth per session, KiB"
set format y "%g"
set yrange [0:*]
set xrange [-0.6:1.6]
set offsets 0, 0, graph 0.12, 0
set boxwidth 0.5
plot datadir."/idle.dat" using 0:2:xtic(1) with boxes lc rgb parley_color notitle, \
     '' using 0:($3 == 1 ? $2 : NaN) with boxes lc rgb rabbit_color notitle, \
     '' using 0:2:(sprintf("%.1f KiB", $2)) with labels offset 0,0.8 notitle, \
     8 with lines dt 2 lw 1.5 lc rgb goal_color title "goal: 8 KiB"

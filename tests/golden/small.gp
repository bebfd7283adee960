# Histogram of the data with the fitted Gaussian mixture.
# Run from the directory that holds this script: gnuplot small.gp
set terminal pngcairo size 800,500 noenhanced font 'sans,10'
set output 'small.png'
set title 'length: 2-component Gaussian mixture'
set xlabel 'length'
set ylabel 'density'
set xrange [9.11:24.59]
set border 3
set tics nomirror
set key top left reverse Left box opaque samplen 3
set yrange [0:0.249586]
set style fill solid 0.35 border rgb '#777777'
plot 'small-hist.dat' using 3:4:($2-$1) with boxes lc rgb '#999999' title 'data (n = 40)', \
     'small-fit.dat' using 1:2 with lines lw 2.5 dt 1 lc rgb '#000000' title 'mixture', \
     '' using 1:3 with lines lw 2 dt 2 lc rgb '#0072B2' title '1: w = 0.400, mean = 11.91, sd = 0.851', \
     '' using 1:4 with lines lw 2 dt 3 lc rgb '#D55E00' title '2: w = 0.600, mean = 20.25, sd = 1.4'
unset output

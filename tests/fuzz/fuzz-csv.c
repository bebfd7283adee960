/*
 * fuzz-csv.c - libFuzzer target for the CSV reader.
 *
 * The input is a CSV file.  Its first byte picks the reading options (so
 * the fuzzer explores delimiters, decimal commas, missing-value handling,
 * ragged rows and column choices too); the reader must return a status,
 * never crash, hang or leak, and what it keeps must be finite numbers.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csvread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const specs[] = { NULL, "all", "1", "2-3", "x,y", "1,1" };
	static const char *const na[] = { "-", "?" };
	struct csvread_options co = { 0 };
	struct dataset ds;
	struct gm_error err;
	unsigned opt = size ? data[0] : 0;
	FILE *fp;

	if (size > 0) {
		data++;
		size--;
	}
	co.delimiter = (opt & 3) == 1 ? ';' : (opt & 3) == 2 ? '\t' : 0;
	co.delimiter_auto = (opt & 3) == 3;
	co.decimal = opt & 4 ? ',' : 0;
	co.no_header = (opt >> 3) & 1;
	co.allow_ragged = (opt >> 4) & 1;
	co.na_error = (opt >> 5) & 1;
	co.columns = specs[(opt >> 6) % 4 + ((opt & 0x18) == 0x18 ? 2 : 0)];
	co.na = na;
	co.n_na = 2;
	fp = fmemopen(size ? (void *)data : (void *)"", size ? size : 1, "rb");
	if (fp == NULL)
		return 0;
	if (size == 0)
		fgetc(fp);	/* an empty stream */
	gm_error_clear(&err);
	if (csvread_stream(fp, "fuzz.csv", &co, &ds, &err) == GM_OK) {
		for (size_t i = 0; i < ds.n * ds.d; i++)
			if (!isfinite(ds.x[i]))
				abort();
		dataset_free(&ds);
	}
	fclose(fp);
	return 0;
}

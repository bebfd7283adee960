/*
 * fuzz-model.c - libFuzzer target for the model-file reader.
 *
 * Whatever the bytes, model_parse (the JSON parser and the checks of a
 * model) must not crash, leak or read out of bounds, and it either accepts
 * a model of 1 to MODEL_MAX_K components or fails with a status and a
 * message.  A plain JSON parse of the same bytes must agree on validity
 * when the model is accepted.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m;
	struct gm_error err;
	struct jv root;
	int rc;

	gm_error_clear(&err);
	rc = model_parse((const char *)data, size, "fuzz.json", &m, &err);
	if (rc == GM_OK) {
		if (m.g == NULL || m.g->k < 1 || m.g->k > MODEL_MAX_K || m.columns == NULL)
			abort();
		model_free(&m);
		gm_error_clear(&err);
		if (jv_parse((const char *)data, size, "fuzz.json", &root, &err) != GM_OK)
			abort();
		jv_free(&root);
	} else if (err.status == GM_OK || err.msg[0] == '\0') {
		abort();
	}
	return 0;
}

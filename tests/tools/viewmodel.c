/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * viewmodel.c - fixture view-models from JSON (viewmodel.h).  Strings are
 * borrowed from the parsed JSON, which the view-model keeps until freed.
 */
#include "viewmodel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "web/diff.h"
#include "web/page.h"

struct viewmodel {
	json_t *root;
	enum { VM_REVIEW, VM_HISTORY, VM_ERROR } kind;
	struct page_review review;
	struct page_form form;
	struct page_history history;
	int status;
	const char *detail;
	/* what the page structs point into */
	struct page_rule *rules;
	struct page_decision **decisions;
	const char ***waiting;
	struct page_file *files;
	const char ***file_rules;
	struct diff_view **diffs;
	const char **form_rules;
	struct page_candidate *candidates;
	char **blobs;
	size_t nblobs;
};

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int64_t
when(json_t *o, const char *key)
{
	int64_t t = 0;
	const char *s = str(o, key);

	if (s != NULL && util_parse_rfc3339(s, &t) < 0)
		t = 0;
	return t;
}

static enum page_state
state_of(const char *s)
{
	static const char *const names[] = { "waiting", "blocked", "approved",
	    "released", "replaced" };

	for (size_t i = 0; s && i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum page_state)i;
	return PAGE_WAITING;
}

/* The strings of array key into a new array (count in *n). */
static const char **
strings(json_t *o, const char *key, size_t *n)
{
	json_t *a = json_object_get(o, key);
	size_t len = json_array_size(a);
	const char **v = xcalloc(len + 1, sizeof(*v));

	for (size_t i = 0; i < len; i++)
		v[i] = json_string_value(json_array_get(a, i));
	*n = len;
	return v;
}

static void
load_rules(struct viewmodel *vm, json_t *root)
{
	json_t *a = json_object_get(root, "rules");
	size_t n = json_array_size(a);

	vm->rules = xcalloc(n + 1, sizeof(*vm->rules));
	vm->decisions = xcalloc(n + 1, sizeof(*vm->decisions));
	vm->waiting = xcalloc(n + 1, sizeof(*vm->waiting));
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(a, i), *ds;
		struct page_rule *u = &vm->rules[i];

		u->name = str(r, "name");
		u->group = str(r, "group");
		u->have = (unsigned)json_integer_value(json_object_get(r,
		    "have"));
		u->need = (unsigned)json_integer_value(json_object_get(r,
		    "need"));
		u->met = json_is_true(json_object_get(r, "met"));
		u->blocked = json_is_true(json_object_get(r, "blocked"));
		u->reset = str(r, "reset");
		ds = json_object_get(r, "decisions");
		u->ndecisions = json_array_size(ds);
		vm->decisions[i] = xcalloc(u->ndecisions + 1,
		    sizeof(**vm->decisions));
		for (size_t k = 0; k < u->ndecisions; k++) {
			json_t *d = json_array_get(ds, k);

			vm->decisions[i][k] = (struct page_decision){
				str(d, "who"), str(d, "decision"),
				when(d, "at"), str(d, "comment"),
				str(d, "carried"), str(d, "via") };
		}
		u->decisions = vm->decisions[i];
		vm->waiting[i] = strings(r, "waiting", &u->nwaiting);
		u->waiting = vm->waiting[i];
	}
	vm->review.rules = vm->rules;
	vm->review.nrules = n;
}

/* A binary blob of n bytes (a NUL first, so that it reads as binary). */
static const char *
blob(struct viewmodel *vm, size_t n)
{
	char *b = xcalloc(n + 1, 1);

	for (size_t i = 1; i < n; i++)
		b[i] = (char)(i * 7);
	vm->blobs = xreallocarray(vm->blobs, vm->nblobs + 1, sizeof(char *));
	vm->blobs[vm->nblobs++] = b;
	return b;
}

static void
load_files(struct viewmodel *vm, json_t *root)
{
	json_t *a = json_object_get(root, "files");
	size_t n = json_array_size(a);

	vm->files = xcalloc(n + 1, sizeof(*vm->files));
	vm->file_rules = xcalloc(n + 1, sizeof(*vm->file_rules));
	vm->diffs = xcalloc(n + 1, sizeof(*vm->diffs));
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_array_get(a, i), *bin;
		struct page_file *p = &vm->files[i];
		const char *st = str(f, "status"), *o, *nw;
		size_t ol, nl;

		p->path = str(f, "path");
		p->status = st && *st ? st[0] : 'M';
		vm->file_rules[i] = strings(f, "rules", &p->nrules);
		p->rules = vm->file_rules[i];
		p->note = str(f, "note");
		p->old_url = str(f, "old_url");
		p->new_url = str(f, "new_url");
		p->browse_url = str(f, "browse_url");
		bin = json_object_get(f, "binary");
		if (json_is_array(bin)) {
			ol = (size_t)json_integer_value(json_array_get(bin, 0));
			nl = (size_t)json_integer_value(json_array_get(bin, 1));
			o = p->status == 'A' ? NULL : blob(vm, ol);
			nw = p->status == 'D' ? NULL : blob(vm, nl);
		} else {
			o = str(f, "old");
			nw = str(f, "new");
			ol = o ? strlen(o) : 0;
			nl = nw ? strlen(nw) : 0;
		}
		vm->diffs[i] = diff_files(p->path ? p->path : "", o, ol, nw,
		    nl);
		p->diff = vm->diffs[i];
	}
	vm->review.files = vm->files;
	vm->review.nfiles = n;
}

static void
load_review(struct viewmodel *vm, json_t *root)
{
	struct page_review *r = &vm->review;
	json_t *form = json_object_get(root, "form");

	r->tag = str(root, "tag");
	r->commit = str(root, "commit");
	r->tagger = str(root, "tagger");
	r->tagged_at = when(root, "tagged_at");
	r->message = str(root, "message");
	r->previous = str(root, "previous");
	r->previous_url = str(root, "previous_url");
	r->print_by = str(root, "print_by");
	r->deadline = when(root, "deadline");
	r->now = when(root, "now");
	r->state = state_of(str(root, "state"));
	r->flash = str(root, "flash");
	r->where = str(root, "where");
	r->history_url = str(root, "history_url");
	r->closed = str(root, "closed");
	r->current_url = str(root, "current_url");
	load_rules(vm, root);
	load_files(vm, root);
	if (json_is_object(form)) {
		vm->form = (struct page_form){
			.action = str(form, "action"),
			.csrf = str(form, "csrf"),
			.person = str(form, "person"),
			.current = str(form, "current"),
			.comment_needed = json_is_true(json_object_get(form,
			    "comment_needed")),
			.decision = str(form, "decision"),
			.comment = str(form, "comment"),
		};
		vm->form_rules = strings(form, "rules", &vm->form.nrules);
		vm->form.rules = vm->form_rules;
		r->form = &vm->form;
	}
}

static void
load_history(struct viewmodel *vm, json_t *root)
{
	json_t *a = json_object_get(root, "candidates");
	size_t n = json_array_size(a);

	vm->candidates = xcalloc(n + 1, sizeof(*vm->candidates));
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(a, i);

		vm->candidates[i] = (struct page_candidate){
			str(c, "commit"), when(c, "at"),
			state_of(str(c, "state")),
			(unsigned)json_integer_value(json_object_get(c,
			    "have")),
			(unsigned)json_integer_value(json_object_get(c,
			    "need")),
			str(c, "url") };
	}
	vm->history = (struct page_history){ str(root, "tag"), vm->candidates,
	    n, NULL };
}

int
viewmodel_load(struct viewmodel **out, const char *path, char **why)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	struct viewmodel *vm;
	const char *page;

	if (root == NULL || !json_is_object(root)) {
		*why = xasprintf("%s:%d: %s", path, err.line, root ?
		    "not an object" : err.text);
		json_decref(root);
		return -EINVAL;
	}
	vm = xcalloc(1, sizeof(*vm));
	vm->root = root;
	page = str(root, "page");
	if (page && strcmp(page, "history") == 0) {
		vm->kind = VM_HISTORY;
		load_history(vm, root);
	} else if (page && strcmp(page, "error") == 0) {
		vm->kind = VM_ERROR;
		vm->status = (int)json_integer_value(json_object_get(root,
		    "status"));
		vm->detail = str(root, "detail");
	} else {
		vm->kind = VM_REVIEW;
		load_review(vm, root);
	}
	*out = vm;
	return 0;
}

int
viewmodel_render(const struct viewmodel *vm, struct buf *b)
{
	switch (vm->kind) {
	case VM_HISTORY:
		page_history(b, &vm->history);
		return 200;
	case VM_ERROR:
		page_error(b, vm->status, vm->detail, NULL);
		return vm->status;
	default:
		page_review(b, &vm->review);
		return 200;
	}
}

void
viewmodel_free(struct viewmodel *vm)
{
	if (vm == NULL)
		return;
	for (size_t i = 0; i < vm->review.nrules; i++) {
		free(vm->decisions[i]);
		free(vm->waiting[i]);
	}
	for (size_t i = 0; i < vm->review.nfiles; i++) {
		free(vm->file_rules[i]);
		diff_free(vm->diffs[i]);
	}
	for (size_t i = 0; i < vm->nblobs; i++)
		free(vm->blobs[i]);
	free(vm->blobs);
	free(vm->rules);
	free(vm->decisions);
	free(vm->waiting);
	free(vm->files);
	free(vm->file_rules);
	free(vm->diffs);
	free(vm->form_rules);
	free(vm->candidates);
	json_decref(vm->root);
	free(vm);
}

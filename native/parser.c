/*
 * secagent's native Python parser: tree-sitter's C runtime and Python grammar, parsing a
 * JavaScript string and handing the whole syntax tree back in one typed array. The
 * WebAssembly build needs several calls across the JavaScript boundary per node to copy a
 * tree; this needs one call per file. Built at install time (native/build.mjs); when it is
 * missing the analyzer uses the WebAssembly parser, which gives the same trees.
 */
#include <node_api.h>
#include <tree_sitter/api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const TSLanguage *tree_sitter_python(void);

/* Per Node.js environment (main thread or worker thread): its own parser and skip table. */
typedef struct {
  TSParser *parser;
  uint8_t *skipped;
  uint32_t skipped_len;
} Instance;

/* Ints per node in a dump, in pre-order: */
enum { SYMBOL, FIELD, START, END, FLAGS, PARENT, LAST, RECORD };
/* FLAGS bits. */
enum { NAMED = 1, MISSING = 2 };

static void finalize_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Instance *instance = data;
  if (instance->parser) ts_parser_delete(instance->parser);
  free(instance->skipped);
  free(instance);
}

static Instance *instance_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* setSkipped(table: Uint8Array): nodes whose symbol id is set in it are left out of dumps
   (they must be leaves); a missing one is kept, for syntax diagnostics. */
static napi_value set_skipped(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (argc < 1 || napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array)
    return fail(env, "setSkipped expects a Uint8Array");
  Instance *instance = instance_of(env);
  uint8_t *copy = malloc(length ? length : 1);
  if (!copy) return fail(env, "out of memory");
  if (length) memcpy(copy, data, length);
  free(instance->skipped);
  instance->skipped = copy;
  instance->skipped_len = (uint32_t)length;
  return NULL;
}

/* symbols(): [name, isNamed] for every symbol id of the grammar. */
static napi_value symbols(napi_env env, napi_callback_info info) {
  (void)info;
  const TSLanguage *language = tree_sitter_python();
  uint32_t count = ts_language_symbol_count(language);
  napi_value list;
  napi_create_array_with_length(env, count, &list);
  for (uint32_t id = 0; id < count; id++) {
    const char *name = ts_language_symbol_name(language, (TSSymbol)id);
    napi_value pair, text, named;
    napi_create_array_with_length(env, 2, &pair);
    napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &text);
    napi_get_boolean(env, ts_language_symbol_type(language, (TSSymbol)id) == TSSymbolTypeRegular, &named);
    napi_set_element(env, pair, 0, text);
    napi_set_element(env, pair, 1, named);
    napi_set_element(env, list, id, pair);
  }
  return list;
}

/* fields(): field names by field id (id 0 is null). */
static napi_value fields(napi_env env, napi_callback_info info) {
  (void)info;
  const TSLanguage *language = tree_sitter_python();
  uint32_t count = ts_language_field_count(language);
  napi_value list;
  napi_create_array_with_length(env, count + 1, &list);
  for (uint32_t id = 0; id <= count; id++) {
    const char *name = ts_language_field_name_for_id(language, (TSFieldId)id);
    napi_value value;
    if (name) napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &value);
    else napi_get_null(env, &value);
    napi_set_element(env, list, id, value);
  }
  return list;
}

typedef struct {
  int32_t *data;
  size_t length, capacity;
} Ints;

static int reserve(Ints *ints, size_t more) {
  if (ints->length + more <= ints->capacity) return 1;
  size_t capacity = ints->capacity ? ints->capacity * 2 : 8192;
  while (capacity < ints->length + more) capacity *= 2;
  int32_t *data = realloc(ints->data, capacity * sizeof(int32_t));
  if (!data) return 0;
  ints->data = data;
  ints->capacity = capacity;
  return 1;
}

/*
 * parse(code: string) -> Int32Array of RECORD ints per node, in pre-order: symbol id (-1 for
 * ERROR), field id, start and end as UTF-16 indexes, flags, the parent's record number (-1 for
 * the root) and the record number of the node's last descendant (itself for a leaf).
 * Positions are UTF-16 code units because the string is parsed as UTF-16, as JavaScript
 * strings index it.
 */
static napi_value parse(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t length;
  if (argc < 1 || napi_get_value_string_utf16(env, argv[0], NULL, 0, &length) != napi_ok) return fail(env, "parse expects a string");
  if (length > UINT32_MAX / 4) return fail(env, "source too large to parse");
  char16_t *text = malloc((length + 1) * sizeof(char16_t));
  if (!text) return fail(env, "out of memory");
  napi_get_value_string_utf16(env, argv[0], text, length + 1, &length);

  Instance *instance = instance_of(env);
  if (!instance->parser) {
    instance->parser = ts_parser_new();
    if (!instance->parser || !ts_parser_set_language(instance->parser, tree_sitter_python())) {
      free(text);
      return fail(env, "tree-sitter could not load the Python grammar");
    }
  }
  TSTree *tree = ts_parser_parse_string_encoding(instance->parser, NULL, (const char *)text, (uint32_t)(length * 2), TSInputEncodingUTF16LE);
  free(text);
  if (!tree) {
    ts_parser_reset(instance->parser);
    return fail(env, "tree-sitter returned no tree");
  }

  Ints out = {0};
  size_t depth = 0, depth_capacity = 256;
  int32_t *open = malloc(depth_capacity * sizeof(int32_t)); /* record numbers of the open ancestors */
  int ok = open != NULL;
  TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
  while (ok) {
    TSNode node = ts_tree_cursor_current_node(&cursor);
    TSSymbol symbol = ts_node_symbol(node);
    int missing = ts_node_is_missing(node);
    int kept = missing || symbol >= instance->skipped_len || !instance->skipped[symbol];
    int32_t record = -1;
    if (kept) {
      if (!reserve(&out, RECORD)) {
        ok = 0;
        break;
      }
      record = (int32_t)(out.length / RECORD);
      int32_t *r = out.data + out.length;
      r[SYMBOL] = symbol == (TSSymbol)-1 ? -1 : (int32_t)symbol;
      r[FIELD] = ts_tree_cursor_current_field_id(&cursor);
      r[START] = (int32_t)(ts_node_start_byte(node) / 2);
      r[END] = (int32_t)(ts_node_end_byte(node) / 2);
      r[FLAGS] = (ts_node_is_named(node) ? NAMED : 0) | (missing ? MISSING : 0);
      r[PARENT] = depth ? open[depth - 1] : -1;
      r[LAST] = record;
      out.length += RECORD;
    }
    if (kept && ts_tree_cursor_goto_first_child(&cursor)) {
      if (depth == depth_capacity) {
        int32_t *grown = realloc(open, depth_capacity * 2 * sizeof(int32_t));
        if (!grown) {
          ok = 0;
          break;
        }
        open = grown;
        depth_capacity *= 2;
      }
      open[depth++] = record;
      continue;
    }
    int done = 0;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!depth || !ts_tree_cursor_goto_parent(&cursor)) {
        done = 1;
        break;
      }
      int32_t closed = open[--depth];
      out.data[(size_t)closed * RECORD + LAST] = (int32_t)(out.length / RECORD) - 1;
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&cursor);
  ts_tree_delete(tree);
  free(open);
  if (!ok) {
    free(out.data);
    return fail(env, "out of memory");
  }

  void *bytes;
  napi_value buffer, result;
  if (napi_create_arraybuffer(env, out.length * sizeof(int32_t), &bytes, &buffer) != napi_ok) {
    free(out.data);
    return fail(env, "out of memory");
  }
  if (out.length) memcpy(bytes, out.data, out.length * sizeof(int32_t));
  free(out.data);
  napi_create_typedarray(env, napi_int32_array, out.length, buffer, 0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  Instance *instance = calloc(1, sizeof(Instance));
  if (!instance || napi_set_instance_data(env, instance, finalize_instance, NULL) != napi_ok) {
    free(instance);
    napi_throw_error(env, NULL, "secagent native parser: out of memory");
    return NULL;
  }
  napi_property_descriptor properties[] = {
    {"parse", NULL, parse, NULL, NULL, NULL, napi_default, NULL},
    {"setSkipped", NULL, set_skipped, NULL, NULL, NULL, napi_default, NULL},
    {"symbols", NULL, symbols, NULL, NULL, NULL, napi_default, NULL},
    {"fields", NULL, fields, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

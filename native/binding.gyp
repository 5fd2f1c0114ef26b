{
  "targets": [
    {
      "target_name": "secagent_parser",
      "sources": [
        "parser.c",
        "<(tree_sitter)/lib/src/lib.c",
        "<(python_grammar)/src/parser.c",
        "<(python_grammar)/src/scanner.c"
      ],
      "include_dirs": ["<(tree_sitter)/lib/include", "<(tree_sitter)/lib/src", "<(python_grammar)/src"],
      "cflags_c": ["-std=gnu11", "-O2", "-w"],
      "variables": { "tree_sitter%": "", "python_grammar%": "" }
    }
  ]
}

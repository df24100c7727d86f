/**
 * The parts of lezer's tree API the linter uses (lezer's own types are not in the import map).
 *
 * @module
 */

/** A node of a lezer syntax tree. */
export interface SyntaxNode {
  readonly name: string;
  readonly type: { readonly name: string; readonly isError: boolean };
  readonly from: number;
  readonly to: number;
  readonly parent: SyntaxNode | null;
  readonly firstChild: SyntaxNode | null;
  readonly lastChild: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
  getChild(type: string): SyntaxNode | null;
  getChildren(type: string): SyntaxNode[];
}

/** A cursor over a lezer tree. */
export interface TreeCursor {
  readonly name: string;
  readonly type: { readonly name: string; readonly isError: boolean };
  readonly from: number;
  readonly to: number;
  readonly node: SyntaxNode;
  next(enter?: boolean): boolean;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
}

/** A lezer syntax tree. */
export interface Tree {
  readonly topNode: SyntaxNode;
  cursor(): TreeCursor;
}

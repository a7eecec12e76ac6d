#!/usr/bin/env python3
"""Record CPython's list capacities, the ground truth for hpds-vec's `CPythonList` policy.

CPython (3.9+) resizes lists in `list_resize` (Objects/listobject.c). The capacity it chose
(`allocated`) is not exposed, but `sys.getsizeof(lst)` is the object header plus
`allocated * sizeof(PyObject *)`, so `allocated = (getsizeof(lst) - getsizeof([])) // ptr`.

Output (stdout), one record per line:
    # comment lines
    append <len> <allocated>   after each of N appends to an empty list
    pop <len> <allocated>      after each pop, from the list of N elements down to empty

Run: python3 cpython_list_capacity.py > cpython_list_capacity.txt
"""
import struct
import sys

N = 10_000

assert sys.version_info >= (3, 9), "list_resize changed in 3.9; need CPython 3.9+"
assert sys.implementation.name == "cpython", "capacities are CPython's"

PTR = struct.calcsize("P")
EMPTY = sys.getsizeof([])


def allocated(lst):
    extra = sys.getsizeof(lst) - EMPTY
    assert extra % PTR == 0
    return extra // PTR


def main():
    out = sys.stdout
    out.write(f"# CPython {sys.version.split()[0]} list capacities, pointer size {PTR}\n")
    out.write(f"# append: len allocated after each append, 1..={N}\n")
    lst = []
    assert allocated(lst) == 0
    for i in range(N):
        lst.append(i)
        out.write(f"append {len(lst)} {allocated(lst)}\n")
    out.write(f"# pop: len allocated after each pop, {N - 1}..=0\n")
    while lst:
        lst.pop()
        out.write(f"pop {len(lst)} {allocated(lst)}\n")


if __name__ == "__main__":
    main()

"""The accountant's pages for one book and for all books, one module per page group.

Views parse, call one selector or service, and render. Every page is for GIE staff; a book that the user may not
see is a 404 (selectors), a role that may not act is a 403.
"""

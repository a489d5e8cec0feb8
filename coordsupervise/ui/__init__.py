"""The Streamlit edge: login glue, the cached Database, translation of the current user's language and widgets
shared by several pages. The only Streamlit code outside app.py and pages/."""

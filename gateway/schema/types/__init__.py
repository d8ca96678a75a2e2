"""The contract's object types, one module per noun, each built from the common model
by its `of`."""

from gateway.schema.types.action import StakeAction
from gateway.schema.types.allocation import Allocation, AllocationAction
from gateway.schema.types.asset import Asset, AssetAmount
from gateway.schema.types.node import Node
from gateway.schema.types.portfolio import Portfolio, PortfolioTotal
from gateway.schema.types.preview import StakePreview
from gateway.schema.types.product import StakingProduct, product_id
from gateway.schema.types.provider import ProviderFailure, ProviderHealth
from gateway.schema.types.reward import Reward
from gateway.schema.types.stake import Stake, StatusChange, Validator, stake_node_id
from gateway.schema.types.user_error import UserError

__all__ = [
    "Allocation",
    "AllocationAction",
    "Asset",
    "AssetAmount",
    "Node",
    "Portfolio",
    "PortfolioTotal",
    "ProviderFailure",
    "ProviderHealth",
    "Reward",
    "Stake",
    "StakeAction",
    "StakePreview",
    "StakingProduct",
    "StatusChange",
    "UserError",
    "Validator",
    "product_id",
    "stake_node_id",
]
